using ServerlessBilling.Local.Commands;
using ServerlessBilling.Local.Commands.Serve;
using ServerlessBilling.Local.Tests.Support;
using ServerlessBilling.Sqlite;

namespace ServerlessBilling.Local.Tests.Serve;

/// <summary>A data folder the host cannot use is the operator's to fix: one line and exit code 7, not a stack trace.</summary>
public sealed class DataFolderExitTests
{
    [Fact]
    public void A_data_folder_that_is_a_file_exits_7_with_one_line_naming_it()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("not-a-folder", "x");
        var console = new TestConsole();

        var exit = ServeCommand.Run(["--no-demo", "--urls", "http://127.0.0.1:0", "--Local:DataDirectory=" + file], console.Out, console.Error);

        Assert.Equal(ExitCodes.DataUnusable, exit);
        var line = Assert.Single(console.Error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: the SQLite data folder '{file}' cannot be used: ", line, StringComparison.Ordinal);
        Assert.EndsWith("choose another folder with --Local:DataDirectory=PATH (or --Store=memory)", line.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_data_folder_another_host_has_open_exits_7_with_one_line()
    {
        using var dir = new TempDirectory();
        using var held = SqliteDatabase.Open(new SqliteOptions { DataDirectory = dir.Path }, TimeProvider.System);
        var console = new TestConsole();

        var exit = ServeCommand.Run(["--no-demo", "--urls", "http://127.0.0.1:0", "--Local:DataDirectory=" + dir.Path], console.Out, console.Error);

        Assert.Equal(ExitCodes.DataUnusable, exit);
        var line = Assert.Single(console.Error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("is in use by another process", line, StringComparison.Ordinal);
        Assert.Contains("billing.db.lock", line, StringComparison.Ordinal);
    }
}
