namespace ServerlessBilling.Core.Storage;

/// <summary>A stored value and the ETag that a conditional write must name.</summary>
public sealed class Versioned<T>(T value, string eTag)
{
    public T Value { get; } = value;

    public string ETag { get; } = eTag;
}
