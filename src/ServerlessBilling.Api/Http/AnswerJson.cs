using System.Buffers;
using System.Text.Json;
using ServerlessBilling.Core.CreditControl;

namespace ServerlessBilling.Api.Http;

/// <summary>
/// The credit-control answers (half of all requests each) written field by field with a reused writer instead of
/// through the serializer's metadata. The output must be byte for byte what the host's options write, so a writer is
/// used for a set of options only once it has written the same bytes as the serializer for probe answers that set
/// every field apart (so a field added to an answer, a renamed one, another naming policy or encoder all turn it off):
/// the serializer stays the reference, this is only a shortcut to its output.
/// </summary>
internal static class AnswerJson
{
    [ThreadStatic]
    private static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer, JsonSerializerOptions Options)? t_writer;

    /// <summary>The answer as the options would serialize it, in a buffer of this thread valid until its next call; false for other types or options.</summary>
    public static bool TryWrite<T>(T value, JsonSerializerOptions options, out ReadOnlySpan<byte> json)
    {
        json = default;
        switch (value)
        {
            case GrantAnswer grant when Checked<GrantAnswer>.Allows(options, Probes.Grants, Write):
                json = Written(options, grant, Write);
                return true;
            case TerminateAnswer terminate when Checked<TerminateAnswer>.Allows(options, Probes.Terminates, Write):
                json = Written(options, terminate, Write);
                return true;
            default:
                return false;
        }
    }

    private static ReadOnlySpan<byte> Written<TAnswer>(JsonSerializerOptions options, TAnswer answer, Action<Utf8JsonWriter, TAnswer> write)
    {
        if (t_writer is not { } cached || !ReferenceEquals(cached.Options, options))
        {
            var buffer = new ArrayBufferWriter<byte>(512);
            cached = (buffer, new Utf8JsonWriter(buffer, WriterOptions(options)), options);
            t_writer = cached;
        }

        cached.Buffer.ResetWrittenCount();
        cached.Writer.Reset(cached.Buffer);
        write(cached.Writer, answer);
        cached.Writer.Flush();
        return cached.Buffer.WrittenSpan;
    }

    private static JsonWriterOptions WriterOptions(JsonSerializerOptions options) => new()
    {
        Encoder = options.Encoder,
        Indented = options.WriteIndented,
        MaxDepth = options.MaxDepth,
        SkipValidation = true,
    };

    private static void Write(Utf8JsonWriter w, GrantAnswer a)
    {
        w.WriteStartObject();
        w.WriteString("sessionId"u8, a.SessionId);
        w.WriteString("resultCode"u8, a.ResultCode.ToWire());
        w.WriteNumber("grantedSeconds"u8, a.GrantedSeconds);
        w.WriteNumber("validitySeconds"u8, a.ValiditySeconds);
        w.WriteBoolean("finalUnit"u8, a.FinalUnit);
        Amount(w, "reservedAmount"u8, a.ReservedAmount);
        Amount(w, "ratePerMinute"u8, a.RatePerMinute);
        w.WriteString("currency"u8, a.Currency);
        Amount(w, "availableAfter"u8, a.AvailableAfter);
        if (a.Reason is { } reason)
        {
            w.WriteString("reason"u8, reason);
        }

        w.WriteEndObject();
    }

    private static void Write(Utf8JsonWriter w, TerminateAnswer a)
    {
        w.WriteStartObject();
        w.WriteString("sessionId"u8, a.SessionId);
        w.WriteString("resultCode"u8, a.ResultCode.ToWire());
        w.WriteNumber("totalSeconds"u8, a.TotalSeconds);
        w.WriteNumber("billedSeconds"u8, a.BilledSeconds);
        Amount(w, "charge"u8, a.Charge);
        w.WriteString("currency"u8, a.Currency);
        Amount(w, "balance"u8, a.Balance);
        w.WriteNumber("overrunSeconds"u8, a.OverrunSeconds);
        w.WriteEndObject();
    }

    /// <summary>As <see cref="NormalizedDecimalConverter"/> writes it.</summary>
    private static void Amount(Utf8JsonWriter w, ReadOnlySpan<byte> name, decimal? value)
    {
        w.WritePropertyName(name);
        if (value is { } v)
        {
            NormalizedDecimalConverter.WriteNormalized(w, v);
        }
        else
        {
            w.WriteNullValue();
        }
    }

    /// <summary>Whether the writer gives the serializer's bytes under these options (checked once per options instance).</summary>
    private static class Checked<TAnswer>
    {
        private static Verdict? s_last;

        public static bool Allows(JsonSerializerOptions options, TAnswer[] probes, Action<Utf8JsonWriter, TAnswer> write)
        {
            if (Volatile.Read(ref s_last) is { } last && ReferenceEquals(last.Options, options))
            {
                return last.Same;
            }

            var same = probes.All(p => Written(options, p, write).SequenceEqual(JsonSerializer.SerializeToUtf8Bytes(p, options)));
            Volatile.Write(ref s_last, new Verdict(options, same));
            return same;
        }

        private sealed record Verdict(JsonSerializerOptions Options, bool Same);
    }

    /// <summary>Answers whose fields all differ, with every result code, a null, trailing zeros and characters to escape.</summary>
    private static class Probes
    {
        public static readonly GrantAnswer[] Grants =
        [
            .. Enum.GetValues<ResultCode>().Select((code, i) => new GrantAnswer($"s-{i}<\"é\">", code, 301 + i, 17, i % 2 == 0, 1.2500m + i, 0.0100m, "GBP", i % 2 == 0 ? null : 98.750m, i % 3 == 1 ? $"R_{i}<&>" : null)),
        ];

        public static readonly TerminateAnswer[] Terminates =
        [
            .. Enum.GetValues<ResultCode>().Select((code, i) => new TerminateAnswer($"t-{i}&'\u2028", code, 61 + i, 120, 0.0200m + i, "EUR", -99.980m, 3 + i)),
        ];
    }
}
