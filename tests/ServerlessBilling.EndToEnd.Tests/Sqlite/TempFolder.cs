namespace ServerlessBilling.EndToEnd.Tests.Sqlite;

/// <summary>A fresh data folder for one test, deleted afterwards.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"sb-e2e-{Guid.NewGuid():N}")).FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // a killed host's file may still be closing; the temp folder is cleaned by the system
        }
    }
}
