namespace ServerlessBilling.Sqlite;

/// <summary>
/// The data folder or file cannot be used: another host has it open, or the folder cannot be made or written. The
/// host stops with one line saying so (exit code 7), not a stack trace: the operator fixes it, not a developer.
/// </summary>
public sealed class SqliteDataUnusableException(string message, Exception? inner = null) : IOException(message, inner);
