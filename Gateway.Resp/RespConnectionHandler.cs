using Microsoft.AspNetCore.Connections;

namespace IceFire.Gateway.Resp;

/// <summary>Kestrel's entry point for RESP: one <see cref="RespConnection"/> per accepted socket.</summary>
public sealed class RespConnectionHandler(RespServer server) : ConnectionHandler
{
    public override Task OnConnectedAsync(ConnectionContext connection) =>
        new RespConnection(server, connection).RunAsync(server.Stopping);
}
