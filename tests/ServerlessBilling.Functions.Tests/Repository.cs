namespace ServerlessBilling.Functions.Tests;

/// <summary>Files of the repository that tests read (the local settings sample, the Bicep files, build outputs).</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ServerlessBilling.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the repository root (ServerlessBilling.sln) is not above " + AppContext.BaseDirectory);
    }
}
