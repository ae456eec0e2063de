using System.Buffers;
using System.Collections;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Sqlite;

/// <summary>
/// The stored JSON of an immutable document (<see cref="StoredJson"/>, byte for byte what the serializer writes),
/// written again after a change by copying the bytes of every part that is the same object as in the version
/// written before. A credit-control step changes one session and a few totals of a document that holds many
/// sessions, so a write costs what changed rather than the whole document. Objects near the root are walked property
/// by property and string-keyed dictionaries entry by entry; a dictionary's values, anything deeper, and any type
/// whose contract this walk would not reproduce exactly (custom converters, polymorphism, callbacks) are written by
/// the serializer as one part each.
/// </summary>
internal static class SqliteDocumentJson
{
    /// <summary>Objects are walked down to this depth (root = 0): deep enough for a dictionary held by a part of the document.</summary>
    private const int WalkedDepth = 2;

    /// <summary>Objects down to this depth list every member they wrote (<see cref="Node.Members"/>): the root and its parts, which <see cref="SqliteDocumentRows"/> stores apart.</summary>
    private const int MemberListDepth = 1;
    private static readonly JsonSerializerOptions Options = Resolving(StoredJson.Options);
    private static readonly ConcurrentDictionary<Type, Shape> Shapes = new();

    private enum Shape
    {
        Whole,
        Object,
        Dictionary,
    }

    /// <summary>Writes <paramref name="value"/>, reusing parts of <paramref name="previous"/> (a version of any document) that are the same objects.</summary>
    public static JsonSnapshot Write<T>(T value, JsonSnapshot? previous)
        where T : class
    {
        var buffer = new ArrayBufferWriter<byte>(previous is null ? 4096 : previous.Bytes.Length + 1024);
        using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Options.Encoder, Indented = Options.WriteIndented, SkipValidation = true });
        var root = Part(writer, value, Options.GetTypeInfo(typeof(T)), 0, previous?.Root, previous?.Bytes, 0, 0)!;
        writer.Flush();
        return new JsonSnapshot(buffer.WrittenSpan.ToArray(), root);
    }

    /// <summary>Writes one part; <paramref name="depth"/> is -1 for a dictionary's value (always one part).</summary>
    private static Node? Part(Utf8JsonWriter writer, object value, JsonTypeInfo type, int depth, Node? before, byte[]? beforeBytes, int beforeStart, int parentStart)
    {
        var start = Position(writer);
        if (before is not null && ReferenceEquals(before.Value, value))
        {
            writer.WriteRawValue(beforeBytes.AsSpan(beforeStart, before.Length), skipInputValidation: true);
            return before with { Start = start - parentStart };
        }

        Dictionary<string, Node>? children = null;
        List<Member>? members = null;
        switch (depth is < 0 or > WalkedDepth ? Shape.Whole : ShapeOf(type))
        {
            case Shape.Object:
                writer.WriteStartObject();
                members = depth <= MemberListDepth ? [] : null;
                foreach (var property in type.Properties)
                {
                    // A property without a getter (e.g. [JsonIgnore]) is never written by the serializer either.
                    if (property.Get is null)
                    {
                        continue;
                    }

                    var member = property.Get(value);
                    if (property.ShouldSerialize is { } should ? !should(value, member) : member is null && Options.DefaultIgnoreCondition == JsonIgnoreCondition.WhenWritingNull)
                    {
                        continue;
                    }

                    writer.WritePropertyName(property.Name);
                    var valueStart = Position(writer);
                    Child(writer, property.Name, member, Options.GetTypeInfo(property.PropertyType), depth + 1, before, beforeBytes, beforeStart, start, ref children);
                    members?.Add(new Member(property.Name, valueStart - start, Position(writer) - valueStart));
                }

                writer.WriteEndObject();
                break;
            case Shape.Dictionary:
                writer.WriteStartObject();
                members = depth <= MemberListDepth ? [] : null;
                var entries = Options.GetTypeInfo(type.ElementType!);
                foreach (DictionaryEntry entry in (IDictionary)value)
                {
                    var key = (string)entry.Key;
                    writer.WritePropertyName(key);
                    var valueStart = Position(writer);
                    Child(writer, key, entry.Value, entries, -1, before, beforeBytes, beforeStart, start, ref children);
                    members?.Add(new Member(key, valueStart - start, Position(writer) - valueStart));
                }

                writer.WriteEndObject();
                break;
            default:
                JsonSerializer.Serialize(writer, value, type);
                break;
        }

        // Only references can be recognised again; a value type's bytes are written afresh each time.
        return value.GetType().IsValueType ? null : new Node(value, start - parentStart, Position(writer) - start, children, members?.ToArray());
    }

    private static void Child(
        Utf8JsonWriter writer, string name, object? member, JsonTypeInfo type, int depth, Node? parentBefore, byte[]? beforeBytes, int parentBeforeStart, int parentStart, ref Dictionary<string, Node>? children)
    {
        if (member is null)
        {
            writer.WriteNullValue();
            return;
        }

        var before = parentBefore?.Children?.GetValueOrDefault(name);
        var beforeStart = before is null ? 0 : parentBeforeStart + before.Start;
        if (Part(writer, member, type, depth, before, beforeBytes, beforeStart, parentStart) is { } node)
        {
            (children ??= new Dictionary<string, Node>(StringComparer.Ordinal))[name] = node;
        }
    }

    /// <summary>The options with their contracts available (the serializer sets the default resolver on first use; this walk may come first).</summary>
    private static JsonSerializerOptions Resolving(JsonSerializerOptions options)
    {
        if (!options.IsReadOnly)
        {
            options.MakeReadOnly(populateMissingResolver: true);
        }

        return options;
    }

    private static int Position(Utf8JsonWriter writer) => checked((int)(writer.BytesCommitted + writer.BytesPending));

    /// <summary>How a type can be walked so that the bytes are exactly the serializer's; decided once per type.</summary>
    private static Shape ShapeOf(JsonTypeInfo type) => Shapes.GetOrAdd(type.Type, _ =>
    {
        if (type.PolymorphismOptions is not null || type.OnSerializing is not null || type.OnSerialized is not null || type.NumberHandling is not null
            || (Options.NumberHandling & JsonNumberHandling.WriteAsString) != 0 || Options.ReferenceHandler is not null || Options.DefaultIgnoreCondition is not (JsonIgnoreCondition.Never or JsonIgnoreCondition.WhenWritingNull))
        {
            return Shape.Whole;
        }

        if (type.Kind == JsonTypeInfoKind.Object
            && type.Properties.All(p => p.CustomConverter is null && p.NumberHandling is null && !p.IsExtensionData))
        {
            return Shape.Object;
        }

        return type.Kind == JsonTypeInfoKind.Dictionary && type.KeyType == typeof(string) && Options.DictionaryKeyPolicy is null && typeof(IDictionary).IsAssignableFrom(type.Type)
            ? Shape.Dictionary
            : Shape.Whole;
    });

    /// <summary>
    /// A part of a written document: the object, where its bytes start (from its parent's start) and how many, its
    /// parts that can be recognised again, and, near the root, every member it wrote, in order.
    /// </summary>
    internal sealed record Node(object Value, int Start, int Length, Dictionary<string, Node>? Children, Member[]? Members);

    /// <summary>One member of a written object: its name and where its value's bytes lie (from the object's start).</summary>
    internal readonly record struct Member(string Name, int Start, int Length);
}

/// <summary>The bytes of one written document, and where each of its parts lies in them, for the next version to reuse.</summary>
internal sealed class JsonSnapshot(byte[] bytes, SqliteDocumentJson.Node root)
{
    public byte[] Bytes { get; } = bytes;

    internal SqliteDocumentJson.Node Root { get; } = root;
}
