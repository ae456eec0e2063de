namespace ServerlessBilling.Local.Tests.Rate;

/// <summary>
/// A small deck and CDR file that exercise every rating rule, with the result file worked out by hand
/// from API.md (the comments on the CDR lines show the arithmetic).
/// </summary>
internal static class RateSample
{
    public const string DeckId = "sample-2026";

    public const string Deck = """"
        prefix,destination,rate,connect_fee,min_seconds,increment_seconds,effective_from,effective_to
        44,United Kingdom,0.0100,0,60,60,,
        4420,United Kingdom London,0.0080,0,30,6,2026-01-01,
        447,United Kingdom Mobile,0.0300,0.0150,1,1,,
        33,France,0.0200,0,60,60,,2026-07-01
        33,France,0.0250,0,60,60,2026-07-01,
        82,"Korea, Republic of",0.0500,0.0250,30,6,,
        49,Germany,0.0123,0,1,1,,
        31,"Netherlands ""NL""",0.0100,0,60,60,,

        """";

    public const string Cdrs = """
        cdr_id,account_id,calling_number,called_number,start_time,duration_seconds,disposition,session_id
        c-01,acme,+441,+442071234567,2026-11-26T10:00:00Z,31,ANSWERED,s-1
        c-02,acme,+441,+442071234567,2026-11-26T10:00:00Z,10,ANSWERED,
        c-03,acme,+441,00441612345678,2026-11-26T10:00:00Z,61,ANSWERED,
        c-04,acme,+441,441612345678,2026-11-26T10:00:00Z,60,ANSWERED,

        c-05,acme,+441,+447700900123,2026-11-26T10:00:00Z,100,ANSWERED,
        c-06,acme,+441,+447700900123,2026-11-26T10:00:00Z,0,ANSWERED,
        c-07,acme,+441,+447700900123,2026-11-26T10:00:00Z,100,BUSY,
        c-08,acme,+441,+442071234567,2025-12-31T23:59:59Z,31,ANSWERED,
        c-09,acme,+441,+33612345678,2026-06-30T23:59:59Z,61,ANSWERED,
        c-10,acme,+441,+33612345678,2026-07-01T00:00:00Z,61,ANSWERED,
        c-11,acme,+441,+33612345678,2026-07-01T01:00:00+02:00,61,ANSWERED,
        c-12,acme,+441,+8221234567,2026-11-26T10:00:00Z,31,ANSWERED,
        c-13,acme,+441,+8221234567,2026-11-26T10:00:00Z,7,ANSWERED,
        c-14,acme,+441,+12125550100,2026-11-26T10:00:00Z,60,ANSWERED,
        c-15,acme,+441,+44 20 7123,2026-11-26T10:00:00Z,60,ANSWERED,
        c-16,acme,+441,+442071234567,2026-11-26T10:00:00Z,-5,ANSWERED,
        ,acme,+441,+442071234567,2026-11-26T10:00:00Z,5,ANSWERED,
        c-18,acme,"+441,+442071234567,2026-11-26T10:00:00Z,5,ANSWERED,
        c-19,acme,+441,+442071234567,2026-11-26T10:00:00Z,5
        "c,20",acme,+441,+442071234567,2026-11-26T10:00:00Z,10,ANSWERED,
        c-21,acme,+441,+4930123456,2026-11-26T10:00:00Z,10,ANSWERED,
        c-22,acme,+441,+31201234567,2026-11-26T10:00:00Z,60,ANSWERED,

        """;

    // c-01 4420 30/6: 31 s → 30 + 6 = 36 s; 0.0080 × 36 / 60 = 0.0048
    // c-02 4420 30/6: 10 s → the minimum, 30 s; 0.0080 × 30 / 60 = 0.004
    // c-03 "00" form, 44 60/60: 61 s → 120 s; 0.0100 × 2 = 0.02
    // c-04 bare form, 44 60/60: 60 s → 60 s; 0.01 (printed without trailing zeros)
    // c-05 447 1/1 with connect fee: 100 s; 0.0150 + 0.0300 × 100 / 60 = 0.065
    // c-06 zero duration and c-07 unanswered: 0 s, 0, no connect fee
    // c-08 before 4420 takes effect (2026-01-01): the shorter prefix 44, 60 s, 0.01
    // c-09 / c-10 France's rate changes at 2026-07-01 (effective_to is exclusive): 0.04, then 0.05
    // c-11 01:00+02:00 is 23:00 UTC on 30 June: the old rate, 0.04
    // c-12 82 30/6 with connect fee: 31 s → 36 s; 0.0250 + 0.0500 × 36 / 60 = 0.055
    // c-13 82 30/6: 7 s → 30 s; 0.0250 + 0.025 = 0.05
    // c-14 no prefix 1 in the deck: not rated
    // c-15 .. c-19 invalid lines: the reader's reason; the id only when it can be read
    // "c,20" an id with a comma is quoted in the output too
    // c-21 49 1/1: 0.0123 × 10 / 60 = 0.00205 → 0.0021 (half away from zero, not to even)
    // c-22 a destination holding quotes is escaped
    public const string Expected = """"
        cdr_id,prefix,destination,billed_seconds,charge,status,reason
        c-01,4420,United Kingdom London,36,0.0048,rated,
        c-02,4420,United Kingdom London,30,0.004,rated,
        c-03,44,United Kingdom,120,0.02,rated,
        c-04,44,United Kingdom,60,0.01,rated,
        c-05,447,United Kingdom Mobile,100,0.065,rated,
        c-06,447,United Kingdom Mobile,0,0,rated,
        c-07,447,United Kingdom Mobile,0,0,rated,
        c-08,44,United Kingdom,60,0.01,rated,
        c-09,33,France,120,0.04,rated,
        c-10,33,France,120,0.05,rated,
        c-11,33,France,120,0.04,rated,
        c-12,82,"Korea, Republic of",36,0.055,rated,
        c-13,82,"Korea, Republic of",30,0.05,rated,
        c-14,,,,,rejected,destination not rated: no rate-deck prefix matches the called number at the call's start time
        c-15,,,,,rejected,"called number must be digits, optionally after '+' or '00'"
        c-16,,,,,rejected,duration_seconds must not be negative
        ,,,,,rejected,cdr_id is missing
        ,,,,,rejected,unterminated quoted field starting at column 11
        c-19,,,,,rejected,"expected 8 columns, found 6"
        "c,20",4420,United Kingdom London,30,0.004,rated,
        c-21,49,Germany,10,0.0021,rated,
        c-22,31,"Netherlands ""NL""",60,0.01,rated,

        """";

    public const int Lines = 22;
    public const int Rated = 16;
    public const int Rejected = 6;
    public const decimal TotalCharge = 0.3649m;
}
