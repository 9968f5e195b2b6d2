namespace MetaRec.Storage.Documents;

/// <summary>A stored document's bytes and the ETag a conditional write of it must name.</summary>
public sealed record EtagDocument(byte[] Content, string ETag);
