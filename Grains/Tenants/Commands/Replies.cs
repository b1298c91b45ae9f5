using System.Text;
using IceFire.Grains.Interfaces;

namespace IceFire.Grains.Tenants.Commands;

/// <summary>Error replies whose text depends on the command.</summary>
internal static class Replies
{
    public static void WrongArity(IReplyWriter reply, string command) =>
        reply.WriteError(Encoding.ASCII.GetBytes($"ERR wrong number of arguments for '{command}' command"));

    public static void InvalidExpireTime(IReplyWriter reply, string command) =>
        reply.WriteError(Encoding.ASCII.GetBytes($"ERR invalid expire time in '{command}' command"));

    public static void Error(IReplyWriter reply, string message) => reply.WriteError(Encoding.UTF8.GetBytes(message));
}
