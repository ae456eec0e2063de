namespace ServerlessBilling.Core.Rating;

/// <summary>The price of a destination: per-minute rate, connect fee, minimum and increment (60/60, 30/6, 1/1).</summary>
public readonly record struct Tariff(decimal RatePerMinute, decimal ConnectFee, int MinSeconds, int IncrementSeconds);
