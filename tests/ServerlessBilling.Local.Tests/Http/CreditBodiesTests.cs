using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using ServerlessBilling.Api.Contracts;
using ServerlessBilling.Api.Http;

namespace ServerlessBilling.Local.Tests.Http;

/// <summary>
/// The credit-control bodies are read without the serializer when plainly formed; whatever the body, the reader
/// accepts exactly what the serializer with the contract's options accepts, with the same values.
/// </summary>
public sealed class CreditBodiesTests
{
    public static TheoryData<string> AuthorizeBodies() =>
    [
        """{"sessionId":"s-1","accountId":"acct-1","callingNumber":"+441","calledNumber":"+442","requestedSeconds":60}""",
        """{"sessionId":"s-1","accountId":"acct-1","callingNumber":"+441","calledNumber":"+442","startTime":"2026-11-26T10:00:00+01:00","requestedSeconds":60}""",
        """ { "requestedSeconds" : 0 , "calledNumber":"+442", "accountId":"acct-1","sessionId":"a@b;c" } """,
        """{"sessionId":null,"accountId":null,"callingNumber":null,"calledNumber":null,"startTime":null,"requestedSeconds":null}""",
        """{}""",
        """{"sessionId":"\u0073-1\"x\"","accountId":"acct-1","calledNumber":"+442"}""",
        """{"\u0073essionId":"s-1","accountId":"acct-1","calledNumber":"+442"}""",
        """{"SessionId":"s-1","ACCOUNTID":"acct-1","calledNumber":"+442"}""",
        """{"sessionId":"s-1","sessionId":"s-2","calledNumber":"+442"}""",
        """{"sessionId":"s-1","SessionId":"s-2","calledNumber":"+442"}""",
        """{"sessionId":"s-1","extra":{"a":[1,2]},"calledNumber":"+442"}""",
        """{"sessionId":"s-1","calledNumber":"+442","requestedSeconds":"60"}""",
        """{"sessionId":"s-1","calledNumber":"+442","requestedSeconds":60.5}""",
        """{"sessionId":"s-1","calledNumber":"+442","requestedSeconds":6e1}""",
        """{"sessionId":"s-1","calledNumber":"+442","requestedSeconds":99999999999}""",
        """{"sessionId":"s-1","calledNumber":"+442","requestedSeconds":-5}""",
        """{"sessionId":1,"calledNumber":"+442"}""",
        """{"sessionId":"s-1","calledNumber":true}""",
        """{"sessionId":"s-1","calledNumber":"+442","startTime":"2026-11-26T10:00:00"}""",
        """{"sessionId":"s-1","calledNumber":"+442","startTime":"3026-11-26T10:00:00Z"}""",
        """{"sessionId":"s-1","calledNumber":"+442","startTime":1764151200}""",
        """{"sessionId":"s-1","calledNumber":"+442"} {}""",
        """{"sessionId":"s-1","calledNumber":"+442"}   """,
        """{"sessionId":"s-1","calledNumber":"+442",}""",
        """{"sessionId":"s-1" /* note */,"calledNumber":"+442"}""",
        """{"sessionId":"s-1","calledNumber":""",
        """[]""",
        """null""",
        "\"s-1\"",
        "",
    ];

    public static TheoryData<string> ReportBodies() =>
    [
        """{"requestNumber":1,"usedSeconds":42}""",
        """{"usedSeconds":42,"requestNumber":3,"requestedSeconds":60}""",
        """{"requestNumber":1,"usedSeconds":42,"requestedSeconds":null}""",
        """{"requestNumber":1,"usedSeconds":42,"requestedSeconds":"x"}""",
        """{"requestNumber":1,"usedSeconds":null}""",
        """{"requestNumber":1,"usedSeconds":42,"usedSeconds":43}""",
        """{"RequestNumber":1,"usedSeconds":42}""",
        """{"requestNumber":"1","usedSeconds":42}""",
        """{"requestNumber":1.5,"usedSeconds":42}""",
        """{"requestNumber":1,"usedSeconds":42,"other":[{}]}""",
        """{"requestNumber":1,"usedSeconds":42}x""",
        """{"requestNumber":1,"usedSeconds":""",
        """{}""",
    ];

    [Theory]
    [MemberData(nameof(AuthorizeBodies))]
    public Task An_authorize_body_reads_as_the_serializer_reads_it(string json) => ReadsAsTheSerializerAsync<AuthorizeBody>(json);

    [Theory]
    [MemberData(nameof(ReportBodies))]
    public async Task A_terminate_or_interim_body_reads_as_the_serializer_reads_it(string json)
    {
        await ReadsAsTheSerializerAsync<TerminateBody>(json);
        await ReadsAsTheSerializerAsync<InterimBody>(json);
    }

    private static async Task ReadsAsTheSerializerAsync<T>(string json)
        where T : class
    {
        T? expected;
        try
        {
            expected = JsonSerializer.Deserialize<T>(json, ApiJson.Options);
        }
        catch (JsonException)
        {
            expected = null;
        }

        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(json));
        var (body, problem) = await RequestReader.ReadJsonAsync<T>(context.Request, CancellationToken.None);

        Assert.Equal(expected, body);
        Assert.Equal(expected is null, problem is not null);
    }
}
