using System.Reflection;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.Local.Commands.Serve;

/// <summary>
/// The <c>serve</c> command: checks its arguments, runs the host until it is stopped, and turns the start-up
/// failures a user can cause (a bad setting, a port in use, an unreachable store) into one line and an exit code.
/// </summary>
public static class ServeCommand
{
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var parsed = ServeArguments.Parse(args);
        if (parsed.Help)
        {
            stdout.Write(LocalCli.Usage);
            return ExitCodes.Ok;
        }

        if (parsed.Error is not null)
        {
            stderr.WriteLine(parsed.Error);
            stderr.Write(LocalCli.Usage);
            return ExitCodes.Usage;
        }

        WebApplication? app = null;
        var starting = true;
        try
        {
            // While starting, the generic host would log a failure with its stack trace before rethrowing it;
            // the failures a user can fix are reported below in one line instead.
            app = LocalHost.Build([.. parsed.Configuration], builder => builder.Logging.AddFilter(
                HostCategory, level => level >= LogLevel.Information && !(Volatile.Read(ref starting) && level >= LogLevel.Error)));
            app.Start();
            Volatile.Write(ref starting, false);
            app.WaitForShutdown();
            return ExitCodes.Ok;
        }
        catch (Exception e) when (Classify(e) is { } failure)
        {
            stderr.WriteLine($"error: {failure.Message}");
            return failure.ExitCode;
        }
        catch (Exception e)
        {
            // Not one of the known causes: a bug or an environment problem, worth its stack trace.
            stderr.WriteLine($"error: the host failed to start: {e}");
            return ExitCodes.Failed;
        }
        finally
        {
            (app as IDisposable)?.Dispose();
        }
    }

    /// <summary>The exit code and the one line for a start-up failure the user can fix, or null for a bug.</summary>
    public static (int ExitCode, string Message)? Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var e = exception is TargetInvocationException or AggregateException && exception.InnerException is { } inner ? inner : exception;
        return e switch
        {
            OptionsValidationException invalid =>
                (ExitCodes.InvalidSetting, $"invalid setting: {string.Join("; ", invalid.Failures)}"),
            // The configuration binder's message names the key and the value ("Failed to convert configuration
            // value 'x' at 'CreditControl:MaxQuotaSeconds' to type 'System.Int32'"); adapters validate their
            // section when registered and name the setting too.
            InvalidOperationException bad when bad.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal)
                                              || bad.Message.Contains(" settings are invalid", StringComparison.Ordinal) =>
                (ExitCodes.InvalidSetting, $"invalid setting: {bad.Message}"),
            // The logging configuration's own check of a level ("Configuration value 'Loud' is not supported.") names no key.
            InvalidOperationException level when level.Message.StartsWith("Configuration value '", StringComparison.Ordinal)
                                                && level.Message.EndsWith("' is not supported.", StringComparison.Ordinal) =>
                (ExitCodes.InvalidSetting, $"invalid setting: Logging:LogLevel: {level.Message.TrimEnd('.')}; a level is Trace, Debug, Information, Warning, Error, Critical or None"),
            IOException { InnerException: AddressInUseException } inUse =>
                (ExitCodes.AddressInUse, $"{inUse.Message.TrimEnd('.')}; stop the other process or choose another address with --urls http://127.0.0.1:PORT"),
            StoreUnreachableException unreachable =>
                (ExitCodes.StoreUnreachable, unreachable.Message),
            // A data file a newer build wrote (SqliteSchema refuses rather than misreads it): the operator runs that
            // build or restores a backup; nothing here is a bug.
            InvalidOperationException newer when newer.Message.StartsWith("the data file has schema version ", StringComparison.Ordinal) =>
                (ExitCodes.DataUnusable, $"{newer.Message.TrimEnd('.')} (or choose another folder with --Local:DataDirectory=PATH)"),
            ServerlessBilling.Sqlite.SqliteDataUnusableException unusable =>
                (ExitCodes.DataUnusable, $"{unusable.Message.TrimEnd('.')}; stop the other host, or choose another folder with --Local:DataDirectory=PATH (or --Store=memory)"),
            _ => null,
        };
    }

    /// <summary>The product version, with the source revision when the build knew it (1.0.0+abc123).</summary>
    public static string Version()
    {
        var assembly = typeof(ServeCommand).Assembly;
        return assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "unknown";
    }
}
