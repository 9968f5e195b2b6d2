// The sequential network's dropout and the transfer trainers' seeding draw from libtorch's one
// process-wide generator, so a test that checks a seed's determinism fails when another test
// class trains at the same time. This assembly's tests run one class at a time (about 3 s in
// all); a per-model torch.Generator would lift this (issue 21).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
