using FsCheck;
using FsCheck.Xunit;
using ServerlessBilling.Core.Storage.InMemory;

namespace ServerlessBilling.Core.Tests.Storage;

/// <summary>
/// The usage log's table of shared texts numbers each combination once, by value, whether a look-up ends at its front
/// by reference or at the dictionary: the same string objects again, equal copies, and combinations that share a slot
/// of the front all get the number a plain dictionary by value gives them, and the number reads back the texts.
/// </summary>
public sealed class TextTableProperties
{
    [Property(MaxTest = 200)]
    public void Combinations_are_numbered_by_value_whatever_their_references(PositiveInt seed)
    {
        var random = new Random(seed.Get);
        string[] dispositions = ["ANSWERED", "BUSY", "NO_ANSWER"];
        var prefixes = Enumerable.Range(0, random.Next(1, 3_000)).Select(i => "44" + i).ToArray();
        var destinations = Enumerable.Range(0, random.Next(1, 50)).Select(i => "Destination " + i).ToArray();
        string[] currencies = ["GBP", "EUR"];
        string[] periods = ["2026-10", "2026-11", "2026-12"];
        string Pick(string[] pool) => random.Next(4) == 0 ? new string(pool[random.Next(pool.Length)].AsSpan()) : pool[random.Next(pool.Length)];

        var table = new TextTable();
        var reference = new Dictionary<(string, string, string, string, string), int>();
        for (var i = 0; i < 5_000; i++)
        {
            var texts = (Pick(dispositions), Pick(prefixes), Pick(destinations), Pick(currencies), Pick(periods));
            if (!reference.TryGetValue(texts, out var expected))
            {
                reference[texts] = expected = reference.Count;
            }

            Assert.Equal(expected, table.NumberOf(texts));
            Assert.Equal(texts, table[expected]);
        }
    }
}
