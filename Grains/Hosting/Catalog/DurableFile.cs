using System.Runtime.InteropServices;

namespace IceFire.Grains.Hosting.Catalog;

/// <summary>
/// Replaces a small file so that a crash leaves either the old or the new content, never a mix: write a
/// temporary file beside it, fsync it, rename it over the target, fsync the directory so the rename itself
/// is durable.
/// </summary>
internal static partial class DurableFile
{
    /// <summary>The temporary name used while <paramref name="path"/> is replaced; a leftover one is a crashed write.</summary>
    public static string TempPath(string path) => path + ".tmp";

    /// <summary>
    /// Replaces <paramref name="path"/> with <paramref name="content"/>. The file is readable and writable by its owner
    /// only (mode 0600): the files written this way hold password hashes and node keys.
    /// </summary>
    public static void Replace(string path, ReadOnlySpan<byte> content)
    {
        var temp = TempPath(path);
        // A leftover temporary file keeps its mode when opened again: start from a new one.
        File.Delete(temp);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }
        using (var file = new FileStream(temp, options))
        {
            file.Write(content);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        FsyncDirectory(Path.GetDirectoryName(path)!);
    }

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Makes <paramref name="path"/> readable and writable by its owner only (mode 0600); nothing on Windows.</summary>
    public static void RestrictToOwner(string path)
    {
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~OwnerOnly) != 0)
        {
            File.SetUnixFileMode(path, OwnerOnly);
        }
    }

    /// <summary>
    /// Makes every file and directory this process creates from now on private to its user (umask 077, as PostgreSQL
    /// does): Raft logs, snapshots and the cluster's tenant table hold password hashes, tenant data is the tenants'.
    /// Nothing on Windows.
    /// </summary>
    public static void RestrictNewFilesToOwner()
    {
        if (!OperatingSystem.IsWindows())
        {
            _ = Umask(0b000_111_111);
        }
    }

    /// <summary>fsync of a directory, which makes the names created, renamed or removed in it durable (Linux).</summary>
    public static void FsyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        const int ReadOnly = 0; // O_RDONLY opens a directory too; O_DIRECTORY's value differs between architectures
        var fd = Open(directory, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory {directory} to fsync it (errno {Marshal.GetLastPInvokeError()})");
        }
        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "umask")]
    private static partial uint Umask(uint mask);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
