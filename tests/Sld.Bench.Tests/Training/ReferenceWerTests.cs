// The tests' own WER scorer counts edits like sclite and sums them over the corpus before dividing.
namespace Sld.Bench.Tests.Training;

public class ReferenceWerTests
{
    [Fact]
    public void CountsSubstitutionsDeletionsAndInsertionsOverTheCorpus()
    {
        Assert.Equal(0, ReferenceWer.EditDistance(["a", "b"], ["a", "b"]));
        Assert.Equal(1, ReferenceWer.EditDistance(["a", "b", "c"], ["a", "c"])); // one deletion
        Assert.Equal(2, ReferenceWer.EditDistance(["a"], ["x", "a", "y"])); // two insertions
        Assert.Equal(3, ReferenceWer.EditDistance(["a", "b", "c"], ["x", "y", "z"]));
        // 1 error over 3 words + 2 errors over 2 words = 3 / 5, not the mean of 1/3 and 1.
        Assert.Equal(0.6, ReferenceWer.Corpus([("u1", "a b c", "a c"), ("u2", "d e", "")]), 12);
    }
}
