using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Bot.Scaffold.Execution;

/// <summary>What an entry is, seen with lstat semantics (a symlink is a symlink, never what it points to).</summary>
internal enum EntryKind
{
    Directory,
    File,
    Symlink,
    /// <summary>FIFOs, sockets and devices: never opened, never copied.</summary>
    Other,
}

internal readonly record struct EntryInfo(EntryKind Kind, long Size, uint Uid, uint Gid, uint Mode);

/// <summary>
/// The few libc calls .NET does not expose: statx without following links (its struct has the same
/// layout on every Linux architecture), openat with O_NOFOLLOW, readlinkat and fchownat. Everything is
/// relative to an open directory, so a sandboxed process that swaps a directory for a symlink while
/// we walk cannot redirect us to a host path.
/// </summary>
internal static partial class NativeFiles
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private const int StatxSize = 256;
    private const int ONonBlock = 0x800;
    private const int OCloExec = 0x80000;
    private const uint SIfMt = 0xF000, SIfDir = 0x4000, SIfReg = 0x8000, SIfLnk = 0xA000;

    // O_DIRECTORY and O_NOFOLLOW are the two flags whose values differ between architectures.
    private static readonly bool ArmFlags = RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64;
    private static int ODirectory => ArmFlags ? 0x4000 : 0x10000;
    private static int ONoFollow => ArmFlags ? 0x8000 : 0x20000;

    public static uint EffectiveUid => geteuid();

    /// <summary>fstat of an open descriptor: what was really opened.</summary>
    public static EntryInfo? Stat(SafeFileHandle handle) => Stat(handle, "", AtEmptyPath);

    /// <summary>lstat of <paramref name="name"/> in the directory <paramref name="dirFd"/> (or of an absolute path with dirFd null).</summary>
    public static EntryInfo? Stat(SafeFileHandle? dirFd, string name) => Stat(dirFd, name, 0);

    private static EntryInfo? Stat(SafeFileHandle? dirFd, string name, int extraFlags)
    {
        Span<byte> buffer = stackalloc byte[StatxSize];
        var rc = statx(dirFd is null ? AtFdCwd : (int)dirFd.DangerousGetHandle(), name, AtSymlinkNoFollow | extraFlags, StatxBasicStats, ref MemoryMarshal.GetReference(buffer));
        if (rc != 0) return null;
        var uid = BitConverter.ToUInt32(buffer[20..24]);
        var gid = BitConverter.ToUInt32(buffer[24..28]);
        uint mode = BitConverter.ToUInt16(buffer[28..30]);
        var size = BitConverter.ToInt64(buffer[40..48]);
        var kind = (mode & SIfMt) switch
        {
            SIfDir => EntryKind.Directory,
            SIfReg => EntryKind.File,
            SIfLnk => EntryKind.Symlink,
            _ => EntryKind.Other,
        };
        return new EntryInfo(kind, size, uid, gid, mode & 0xFFF);
    }

    /// <summary>Opens a directory without following a final symlink; null if it is not (or no longer) a directory.</summary>
    public static SafeFileHandle? OpenDirectory(SafeFileHandle? dirFd, string name) =>
        Open(dirFd, name, ODirectory | ONoFollow | OCloExec);

    /// <summary>Opens a file for reading without following links and without blocking on a FIFO.</summary>
    public static SafeFileHandle? OpenFileForRead(SafeFileHandle dirFd, string name) =>
        Open(dirFd, name, ONoFollow | ONonBlock | OCloExec);

    public static string? ReadLink(SafeFileHandle dirFd, string name)
    {
        Span<byte> buffer = stackalloc byte[4096];
        var length = readlinkat((int)dirFd.DangerousGetHandle(), name, ref MemoryMarshal.GetReference(buffer), buffer.Length);
        return length < 0 || length >= buffer.Length ? null : System.Text.Encoding.UTF8.GetString(buffer[..(int)length]);
    }

    /// <summary>Changes the owner of an entry itself (a symlink's own owner, never its target's).</summary>
    public static bool Chown(SafeFileHandle dirFd, string name, uint uid, uint gid) =>
        fchownat((int)dirFd.DangerousGetHandle(), name, uid, gid, AtSymlinkNoFollow) == 0;

    /// <summary>SIGKILL; a process that is already gone is not an error.</summary>
    public static void Kill(int pid) => _ = kill(pid, 9);

    private static SafeFileHandle? Open(SafeFileHandle? dirFd, string name, int flags)
    {
        var fd = openat(dirFd is null ? AtFdCwd : (int)dirFd.DangerousGetHandle(), name, flags, 0);
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string pathname, int flags, uint mask, ref byte buffer);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int openat(int dirfd, string pathname, int flags, uint mode);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint readlinkat(int dirfd, string pathname, ref byte buffer, nint size);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int fchownat(int dirfd, string pathname, uint owner, uint group, int flags);

    [LibraryImport("libc")]
    private static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
