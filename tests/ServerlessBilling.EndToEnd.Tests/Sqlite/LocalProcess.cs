using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ServerlessBilling.EndToEnd.Tests.Sqlite;

/// <summary>
/// The built local host (ServerlessBilling.Local.dll, copied beside the tests) as a real child process on a SQLite
/// data folder, so that a test can kill it (SIGKILL: no shutdown code runs) and start it again on the same file.
/// </summary>
public sealed class LocalProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private LocalProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<LocalProcess> StartAsync(string dataDirectory, params string[] settings)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort()}/");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDirectory,
        };
        foreach (var argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "ServerlessBilling.Local.dll"), "serve",
            "--urls", address.ToString().TrimEnd('/'),
            "--Store=sqlite", "--Local:DataDirectory=" + dataDirectory,
            "--Logging:LogLevel:Default=Warning",
            // These tests are about what survives a kill, not about the store deadlines (tested on their own, with a
            // fake clock): the first calls on a freshly started process, on a loaded machine, took longer than the
            // 2 s credit-control deadline and were answered 503, which failed the test.
            "--CreditControl:StoreDeadline=00:00:30", "--CreditControl:AdminDeadline=00:00:30",
        }.Concat(settings))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("the local host did not start");
        var local = new LocalProcess(process, address);
        process.OutputDataReceived += (_, e) => local.Append(e.Data);
        process.ErrorDataReceived += (_, e) => local.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await local.WaitReadyAsync();
        return local;
    }

    /// <summary>SIGKILL: the process ends at once, mid-request, with no shutdown code (no flush, no dispose).</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    private async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the local host exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await Client.GetAsync("/");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the local host did not answer within 60 s:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }
}
