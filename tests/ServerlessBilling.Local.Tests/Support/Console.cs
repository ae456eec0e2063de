using ServerlessBilling.Local.Commands.Rate;

namespace ServerlessBilling.Local.Tests.Support;

/// <summary>Standard streams in memory, for commands under test.</summary>
internal sealed class TestConsole(string stdin = "")
{
    public StringReader In { get; } = new(stdin);

    public StringWriter Out { get; } = new() { NewLine = "\n" };

    public StringWriter Error { get; } = new() { NewLine = "\n" };

    public RateCommand RateCommand(TimeProvider? time = null) => new(In, Out, Error, time ?? TimeProvider.System);
}
