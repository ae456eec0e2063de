using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServerlessBilling.Core.Rating;

/// <summary>How a call ended. In JSON it is its wire name (ANSWERED, NO_ANSWER, BUSY, FAILED) unless the serializer options say otherwise.</summary>
[JsonConverter(typeof(DispositionNames.Json))]
public enum Disposition
{
    Answered,
    NoAnswer,
    Busy,
    Failed,
}

public static class DispositionNames
{
    public static bool TryParse(ReadOnlySpan<char> text, out Disposition disposition)
    {
        var trimmed = text.Trim();
        if (trimmed.Equals("ANSWERED", StringComparison.OrdinalIgnoreCase)) { disposition = Disposition.Answered; return true; }
        if (trimmed.Equals("NO_ANSWER", StringComparison.OrdinalIgnoreCase)) { disposition = Disposition.NoAnswer; return true; }
        if (trimmed.Equals("BUSY", StringComparison.OrdinalIgnoreCase)) { disposition = Disposition.Busy; return true; }
        if (trimmed.Equals("FAILED", StringComparison.OrdinalIgnoreCase)) { disposition = Disposition.Failed; return true; }
        disposition = default;
        return false;
    }

    public static string ToWire(this Disposition disposition) => disposition switch
    {
        Disposition.Answered => "ANSWERED",
        Disposition.NoAnswer => "NO_ANSWER",
        Disposition.Busy => "BUSY",
        Disposition.Failed => "FAILED",
        _ => throw new ArgumentOutOfRangeException(nameof(disposition)),
    };

    /// <summary>The wire form in JSON: the same names as <see cref="ToWire"/>.</summary>
    public sealed class Json() : JsonStringEnumConverter<Disposition>(JsonNamingPolicy.SnakeCaseUpper, allowIntegerValues: false);
}
