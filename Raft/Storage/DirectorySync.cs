using System.Runtime.InteropServices;

namespace IceFire.Raft.Storage;

/// <summary>Makes a rename durable: on Linux, fsync the directory that holds the new name.</summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;

    public static void Fsync(string dir)
    {
        if (!OperatingSystem.IsLinux()) return;
        var fd = Open(dir, ReadOnly);
        if (fd < 0) throw new IOException($"cannot open directory {dir} to fsync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (FsyncFd(fd) != 0) throw new IOException($"fsync of directory {dir} failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FsyncFd(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
