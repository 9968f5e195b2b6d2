using MetaRec.Core.Evaluation;
using MetaRec.Core.Training;

namespace MetaRec.Core.Tests.Training;

/// <summary>Training throughput as <c>metarec train</c> reports it.</summary>
public sealed class ThroughputTests
{
    [Fact]
    public void Examples_per_second_count_the_training_steps_only()
    {
        var epoch = new EpochRecord(1, 0.5, 0.7, Seconds: 10, TrainSeconds: 4, Examples: 1000);

        Assert.Equal(250, epoch.ExamplesPerSecond);
        Assert.True(double.IsNaN((epoch with { TrainSeconds = 0 }).ExamplesPerSecond));
    }

    [Fact]
    public void A_fit_reports_the_median_epoch_leaving_out_the_first_when_there_are_more()
    {
        static EpochRecord Epoch(int number, double seconds) => new(number, 0.5, 0.7, seconds + 1, seconds, 1000);

        var one = new FitResult(null!, 1, 0.7, [Epoch(1, 10)], false);
        var four = new FitResult(null!, 4, 0.7, [Epoch(1, 100), Epoch(2, 4), Epoch(3, 2), Epoch(4, 5)], false);
        var none = new FitResult(null!, 0, double.NaN, [], false);

        Assert.Equal(100, one.ExamplesPerSecond);
        Assert.Equal(250, four.ExamplesPerSecond); // 250, 500, 200: the warm-up epoch's 10 is left out
        Assert.True(double.IsNaN(none.ExamplesPerSecond));
    }

    [Theory]
    [InlineData(new double[] { 3 }, 3)]
    [InlineData(new double[] { 5, 1, 3 }, 3)]
    [InlineData(new double[] { 4, 1, 3, 2 }, 2.5)]
    public void Median_is_the_middle_value_or_the_mean_of_the_middle_two(double[] values, double median) =>
        Assert.Equal(median, Statistic.Median(values));

    [Fact]
    public void Median_of_nothing_is_nan() => Assert.True(double.IsNaN(Statistic.Median([])));
}
