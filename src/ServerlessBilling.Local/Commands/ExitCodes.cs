namespace ServerlessBilling.Local.Commands;

/// <summary>The process exit codes of every command.</summary>
public static class ExitCodes
{
    /// <summary>The command ran to the end (a rate run with rejected CDRs included; a simulation whose books agree).</summary>
    public const int Ok = 0;

    /// <summary>
    /// The input was read but cannot be used (a bad rate deck or CDR header), or I/O failed mid-run; `simulate`: the
    /// platform's books do not agree with the simulator's rating, or it answered a request with an error.
    /// </summary>
    public const int Failed = 1;

    /// <summary>Bad arguments, a missing file, or a command that is not available.</summary>
    public const int Usage = 2;

    /// <summary>`serve`: a setting is invalid (a value that does not convert, or fails its section's validation).</summary>
    public const int InvalidSetting = 3;

    /// <summary>`serve`: the address to listen on is already in use.</summary>
    public const int AddressInUse = 4;

    /// <summary>`serve`: the store did not answer at start.</summary>
    public const int StoreUnreachable = 5;

    /// <summary>`serve`: the SQLite data folder cannot be used (another host has it open, or it cannot be made or written).</summary>
    public const int DataUnusable = 7;

    /// <summary>`simulate`: the platform could not be reached (no connection, or no answer after retries).</summary>
    public const int PlatformUnreachable = 6;

    /// <summary>Stopped by SIGINT/SIGTERM (128 + 2, as shells report Ctrl+C).</summary>
    public const int Cancelled = 130;
}
