using MetaRec.Functions.Interactions;

namespace MetaRec.Functions.Tests;

public sealed class InteractionMessagesTests
{
    [Fact]
    public void Plain_events_cloud_events_and_arrays_of_them_are_read()
    {
        var plain = Assert.Single(InteractionMessages.Parse("""{"eventId":"e1","userId":"u","itemId":"i","rating":4.5,"timestamp":1700000000,"extra":true}"""));
        Assert.Equal(("e1", "u", "i", 4.5f, 1_700_000_000L), (plain.EventId, plain.UserId, plain.ItemId, plain.Rating, plain.Timestamp));

        var cloud = Assert.Single(InteractionMessages.Parse(
            """{"specversion":"1.0","type":"com.metarec.interaction","source":"/shop","id":"c1","time":"2023-11-14T22:13:20Z","data":{"userId":"u","itemId":42,"rating":1}}"""));
        Assert.Equal(("c1", "42", 1_700_000_000L), (cloud.EventId, cloud.ItemId, cloud.Timestamp));

        var batch = InteractionMessages.Parse("""[{"eventId":"a","userId":"u","itemId":"i","rating":1,"timestamp":"2023-11-14T22:13:20Z"},{"eventId":"b","userId":"u","itemId":"j","rating":2,"timestamp":5}]""");
        Assert.Equal([1_700_000_000L, 5L], batch.Select(e => e.Timestamp));
    }

    [Theory]
    [InlineData("nope", "not JSON")]
    [InlineData("[]", "an empty array holds no events")]
    [InlineData("""{"userId":"u","itemId":"i","rating":1,"timestamp":1}""", "eventId is missing")]
    [InlineData("""{"eventId":"e","userId":"u","itemId":"i","rating":1}""", "timestamp is missing")]
    [InlineData("""{"eventId":"e","userId":"../x","itemId":"i","rating":1,"timestamp":1}""", "userId '../x' is not valid")]
    [InlineData("""{"eventId":"e","userId":"u","itemId":"i","rating":1,"timestamp":-4}""", "timestamp must be unix seconds from 0 to 253402300799")]
    [InlineData("""{"eventId":"e","userId":"u","itemId":"i","rating":1,"timestamp":2189462424717535383}""", "timestamp must be unix seconds from 0 to 253402300799")] // found by FuzzTests: it passed and then broke the day partition
    [InlineData("""[{"eventId":"e","userId":"u","itemId":"i","rating":1,"timestamp":1},{"eventId":"f"}]""", "[1].userId is missing")]
    [InlineData("""{"eventId":"e","userId":"u","itemId":"i","rating":"five","timestamp":1}""", "rating")]
    [InlineData("""{"eventId":"e","userId":"u","itemId":"i","rating":1,"timestamp":"yesterday"}""", "timestamp")]
    [InlineData("""{"eventId":"e","userId":true,"itemId":"i","rating":1,"timestamp":1}""", "userId must be a string, not True")]
    [InlineData("""{"eventId":["e"],"userId":"u","itemId":"i","rating":1,"timestamp":1}""", "eventId")]
    [InlineData("""{"type":"order.created","id":"x"}""", "unknown schema")]
    [InlineData("""{"specversion":"1.0","type":"order.created","source":"/","id":"x","data":{}}""", "unknown schema: CloudEvent type 'order.created'")]
    [InlineData("""{"specversion":"0.3","type":"com.metarec.interaction","id":"x","data":{}}""", "specversion must be \"1.0\"")]
    [InlineData("""{"specversion":"1.0","type":"com.metarec.interaction","source":"/","id":"x","data":{"userId":"u","itemId":"i","rating":1}}""", "data.timestamp or time is missing")]
    public void Poison_is_refused_with_a_reason_naming_the_field(string body, string reason)
    {
        var error = Assert.Throws<PoisonMessageException>(() => InteractionMessages.Parse(body));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}
