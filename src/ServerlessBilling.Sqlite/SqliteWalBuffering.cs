using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ServerlessBilling.Sqlite;

/// <summary>
/// A VFS over SQLite's own ("unix", or the platform's default) that writes a transaction's WAL frames with one write
/// call at its commit instead of two per page. SQLite appends each frame as two writes (its 24-byte header, then the
/// page), so a commit of 60 pages cost 120 pwrite() calls; on a virtualised machine the system calls were the larger part
/// of the writer thread's CPU. Here the writes to a WAL file that follow one another are gathered in memory and written
/// at once when the commit frame (the one whose header holds the database size) has been appended, and before anything
/// else touches the file (a read, a sync, a truncation, its size, a file control, a lock, closing it), so that what
/// SQLite finds in the file is always what it wrote, in its order. SQLite publishes a commit to readers (the WAL index)
/// only after its frames' writes return, and answers the writer only then, so a reader, the checkpointer and a crash see
/// what they saw before: the commit's frames are in the file (the page cache) before anyone is told of the commit, and a
/// sync (synchronous=FULL) still follows them. Frames of a transaction that never commits may now not reach the file at
/// all, which is what SQLite makes of them anyway. Only appends are gathered: a frame written again (a page the
/// transaction changes after appending it, or the checksums SQLite rewrites after the commit frame) goes straight to the
/// file, after what is gathered. Only the WAL of connections opened with it (the writer's) is gathered; any other file
/// is the VFS below's, untouched.
/// </summary>
internal static unsafe class SqliteWalBuffering
{
    /// <summary>The name of the VFS, for a connection's URI (<c>?vfs=</c>).</summary>
    public const string Name = "serverlessbilling-walbuffer";

    private const int SqliteOk = 0;
    private const int SqliteNoMem = 7;
    private const int OpenWal = 0x00080000;
    private const int FrameHeaderBytes = 24;
    private const int JournalPointer = 28; // SQLITE_FCNTL_JOURNAL_POINTER: the WAL file, in WAL mode

    /// <summary>
    /// Bytes gathered at most before they are written: under 128 KB, as the unix VFS writes at most the low 17 bits of a
    /// length in one call (a write of exactly 128 KB wrote nothing and failed as a full disk). A group's commit of about
    /// 60 pages (240 KB) takes two writes.
    /// </summary>
    private const int Capacity = 0x1F000;

    private static readonly Lazy<bool> Registered = new(Register);
    private static SqliteVfs* _below;
    private static IoMethods* _methods;

    /// <summary>Registers the VFS once per process; false when the platform's SQLite offers no VFS to build on (the writer then opens the file as usual).</summary>
    public static bool EnsureRegistered() => Registered.Value;

    /// <summary>The connection string's data source that opens <paramref name="path"/> through this VFS.</summary>
    public static string Uri(string path)
    {
        var full = Path.GetFullPath(path).Replace("%", "%25", StringComparison.Ordinal).Replace("?", "%3f", StringComparison.Ordinal).Replace("#", "%23", StringComparison.Ordinal);
        return "file:" + full + "?vfs=" + Name;
    }

    private static bool Register()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return false;
        }

        if (sizeof(FileHeader) != FileHeader.Bytes)
        {
            return false;
        }

        var below = Native.sqlite3_vfs_find(null);
        if (below is null || below->iVersion < 1)
        {
            return false;
        }

        var vfs = (SqliteVfs*)NativeMemory.AllocZeroed((nuint)sizeof(SqliteVfs));
        *vfs = *below; // every method of the VFS below (they read only what this copy holds, such as pAppData)
        vfs->pNext = null;
        vfs->zName = (byte*)Marshal.StringToCoTaskMemUTF8(Name);
        vfs->szOsFile = FileHeader.Bytes + below->szOsFile;
        vfs->xOpen = &Open;

        var methods = (IoMethods*)NativeMemory.AllocZeroed((nuint)sizeof(IoMethods));
        methods->iVersion = 3;
        methods->xClose = &Close;
        methods->xRead = &Read;
        methods->xWrite = &Write;
        methods->xTruncate = &Truncate;
        methods->xSync = &Sync;
        methods->xFileSize = &FileSize;
        methods->xLock = &Lock;
        methods->xUnlock = &Unlock;
        methods->xCheckReservedLock = &CheckReservedLock;
        methods->xFileControl = &FileControl;
        methods->xSectorSize = &SectorSize;
        methods->xDeviceCharacteristics = &DeviceCharacteristics;
        methods->xShmMap = &ShmMap;
        methods->xShmLock = &ShmLock;
        methods->xShmBarrier = &ShmBarrier;
        methods->xShmUnmap = &ShmUnmap;
        methods->xFetch = &Fetch;
        methods->xUnfetch = &Unfetch;
        _below = below;
        _methods = methods;
        return Native.sqlite3_vfs_register(vfs, 0) == SqliteOk;
    }

    /// <summary>
    /// A WAL file: this header, then the file of the VFS below (all within the szOsFile SQLite allocates). Any other file
    /// is the VFS below's file itself, at the start, with its own methods: nothing of this VFS is on its path.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct FileHeader
    {
        public const int Bytes = 56;

        public IoMethods* Methods;
        public byte* Buffer;
        public long Start; // the file offset of Buffer[0]
        public int Length;
        public int CommitFrame; // the last header appended was a commit frame's: its page ends the commit
        public long End; // where the frames appended since the log last started over end (written or gathered)
        public long Appends; // writes SQLite asked for
        public long Writes; // writes made below
    }

    /// <summary>
    /// For a connection opened through this VFS in WAL mode: the writes SQLite asked of its WAL file, those made to the
    /// file below, and the bytes gathered and not yet written (none between transactions); null when its WAL is not one
    /// of this VFS's (or not open yet).
    /// </summary>
    internal static (long Appends, long Writes, int Gathered)? Counts(Microsoft.Data.Sqlite.SqliteConnection connection)
    {
        void* walFile = null;
        var main = "main"u8;
        int rc;
        fixed (byte* name = main)
        {
            rc = Native.sqlite3_file_control(connection.Handle!.DangerousGetHandle(), name, JournalPointer, &walFile);
        }

        if (rc != SqliteOk || walFile is null || *(IoMethods**)walFile != _methods || _methods is null)
        {
            return null;
        }

        return (Header(walFile)->Appends, Header(walFile)->Writes, Header(walFile)->Length);
    }

    private static FileHeader* Header(void* file) => (FileHeader*)file;

    private static void* Below(void* file) => (byte*)file + FileHeader.Bytes;

    private static IoMethods* BelowMethods(void* file) => *(IoMethods**)Below(file);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Open(SqliteVfs* vfs, byte* name, void* file, int flags, int* outFlags)
    {
        if ((flags & OpenWal) == 0)
        {
            return _below->xOpen(_below, name, file, flags, outFlags); // the file below at the start: its methods, as usual
        }

        var header = Header(file);
        *header = default;
        var rc = _below->xOpen(_below, name, Below(file), flags, outFlags);
        header->Methods = rc == SqliteOk && BelowMethods(file) is not null ? _methods : null;
        return rc;
    }

    /// <summary>Writes what is gathered; on a failure nothing of it is kept (SQLite fails the transaction that wrote it).</summary>
    private static int Flush(void* file)
    {
        var header = Header(file);
        if (header->Length == 0)
        {
            return SqliteOk;
        }

        var (length, start) = (header->Length, header->Start);
        header->Length = 0;
        header->Writes++;
        return BelowMethods(file)->xWrite(Below(file), header->Buffer, length, start);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Write(void* file, byte* data, int amount, long offset)
    {
        var header = Header(file);
        header->Appends++;
        if (offset == 0)
        {
            header->End = 0; // the WAL's header: the log starts over, its frames from the start
        }

        if (offset < header->End || amount > Capacity)
        {
            // A frame written before, written again (a page changed again by the transaction that appended it, or the
            // headers whose checksums SQLite rewrites after the commit frame): straight to the file, after what is gathered.
            var flushed = Flush(file);
            if (flushed != SqliteOk)
            {
                return flushed;
            }

            header->Writes++;
            return BelowMethods(file)->xWrite(Below(file), data, amount, offset);
        }

        if (header->Length > 0 && (offset != header->Start + header->Length || header->Length + amount > Capacity))
        {
            var flushed = Flush(file);
            if (flushed != SqliteOk)
            {
                return flushed;
            }
        }

        if (header->Buffer is null)
        {
            try
            {
                header->Buffer = (byte*)NativeMemory.Alloc(Capacity);
            }
            catch (OutOfMemoryException)
            {
                return SqliteNoMem;
            }
        }

        if (header->Length == 0)
        {
            header->Start = offset;
        }

        new ReadOnlySpan<byte>(data, amount).CopyTo(new Span<byte>(header->Buffer + header->Length, amount));
        header->Length += amount;
        header->End = Math.Max(header->End, offset + amount);
        if (amount == FrameHeaderBytes)
        {
            // A frame's header: the database's size in pages after the commit for a commit frame, 0 for any other. Kept
            // apart from what is gathered, which may be written out between the header and its page.
            header->CommitFrame = BinaryPrimitives.ReadUInt32BigEndian(new ReadOnlySpan<byte>(data + 4, 4)) != 0 ? 1 : 0;
            return SqliteOk;
        }

        if (header->CommitFrame == 0)
        {
            return SqliteOk;
        }

        header->CommitFrame = 0; // the commit frame's page: the commit is whole, so it goes to the file now
        return Flush(file);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Close(void* file)
    {
        var flushed = Flush(file);
        var header = Header(file);
        if (header->Buffer is not null)
        {
            NativeMemory.Free(header->Buffer);
            header->Buffer = null;
        }

        var rc = BelowMethods(file)->xClose(Below(file));
        return flushed != SqliteOk ? flushed : rc;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Read(void* file, byte* data, int amount, long offset) => Flush(file) is var flushed && flushed != SqliteOk ? flushed : BelowMethods(file)->xRead(Below(file), data, amount, offset);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Truncate(void* file, long size) => Flush(file) is var flushed && flushed != SqliteOk ? flushed : BelowMethods(file)->xTruncate(Below(file), size);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Sync(void* file, int flags) => Flush(file) is var flushed && flushed != SqliteOk ? flushed : BelowMethods(file)->xSync(Below(file), flags);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int FileSize(void* file, long* size) => Flush(file) is var flushed && flushed != SqliteOk ? flushed : BelowMethods(file)->xFileSize(Below(file), size);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Lock(void* file, int level) => Flush(file) is var flushed && flushed != SqliteOk ? flushed : BelowMethods(file)->xLock(Below(file), level);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Unlock(void* file, int level) => Flush(file) is var flushed && flushed != SqliteOk ? flushed : BelowMethods(file)->xUnlock(Below(file), level);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int CheckReservedLock(void* file, int* result) => BelowMethods(file)->xCheckReservedLock(Below(file), result);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int FileControl(void* file, int op, void* argument) => Flush(file) is var flushed && flushed != SqliteOk ? flushed : BelowMethods(file)->xFileControl(Below(file), op, argument);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int SectorSize(void* file) => BelowMethods(file)->xSectorSize(Below(file));

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int DeviceCharacteristics(void* file) => BelowMethods(file)->xDeviceCharacteristics(Below(file));

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int ShmMap(void* file, int page, int pageSize, int extend, void** mapped) =>
        BelowMethods(file)->iVersion >= 2 ? BelowMethods(file)->xShmMap(Below(file), page, pageSize, extend, mapped) : 1;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int ShmLock(void* file, int offset, int n, int flags) =>
        BelowMethods(file)->iVersion >= 2 ? BelowMethods(file)->xShmLock(Below(file), offset, n, flags) : 1;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void ShmBarrier(void* file)
    {
        if (BelowMethods(file)->iVersion >= 2)
        {
            BelowMethods(file)->xShmBarrier(Below(file));
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int ShmUnmap(void* file, int delete) =>
        BelowMethods(file)->iVersion >= 2 ? BelowMethods(file)->xShmUnmap(Below(file), delete) : SqliteOk;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Fetch(void* file, long offset, int amount, void** page)
    {
        *page = null; // no memory map of a WAL file: SQLite reads it
        return SqliteOk;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Unfetch(void* file, long offset, void* page) => SqliteOk;

    /// <summary>sqlite3_vfs, as far as version 3.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct SqliteVfs
    {
        public int iVersion;
        public int szOsFile;
        public int mxPathname;
        public SqliteVfs* pNext;
        public byte* zName;
        public void* pAppData;
        public delegate* unmanaged[Cdecl]<SqliteVfs*, byte*, void*, int, int*, int> xOpen;
        public void* xDelete;
        public void* xAccess;
        public void* xFullPathname;
        public void* xDlOpen;
        public void* xDlError;
        public void* xDlSym;
        public void* xDlClose;
        public void* xRandomness;
        public void* xSleep;
        public void* xCurrentTime;
        public void* xGetLastError;
        public void* xCurrentTimeInt64;
        public void* xSetSystemCall;
        public void* xGetSystemCall;
        public void* xNextSystemCall;
    }

    /// <summary>sqlite3_io_methods, as far as version 3.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct IoMethods
    {
        public int iVersion;
        public delegate* unmanaged[Cdecl]<void*, int> xClose;
        public delegate* unmanaged[Cdecl]<void*, byte*, int, long, int> xRead;
        public delegate* unmanaged[Cdecl]<void*, byte*, int, long, int> xWrite;
        public delegate* unmanaged[Cdecl]<void*, long, int> xTruncate;
        public delegate* unmanaged[Cdecl]<void*, int, int> xSync;
        public delegate* unmanaged[Cdecl]<void*, long*, int> xFileSize;
        public delegate* unmanaged[Cdecl]<void*, int, int> xLock;
        public delegate* unmanaged[Cdecl]<void*, int, int> xUnlock;
        public delegate* unmanaged[Cdecl]<void*, int*, int> xCheckReservedLock;
        public delegate* unmanaged[Cdecl]<void*, int, void*, int> xFileControl;
        public delegate* unmanaged[Cdecl]<void*, int> xSectorSize;
        public delegate* unmanaged[Cdecl]<void*, int> xDeviceCharacteristics;
        public delegate* unmanaged[Cdecl]<void*, int, int, int, void**, int> xShmMap;
        public delegate* unmanaged[Cdecl]<void*, int, int, int, int> xShmLock;
        public delegate* unmanaged[Cdecl]<void*, void> xShmBarrier;
        public delegate* unmanaged[Cdecl]<void*, int, int> xShmUnmap;
        public delegate* unmanaged[Cdecl]<void*, long, int, void**, int> xFetch;
        public delegate* unmanaged[Cdecl]<void*, long, void*, int> xUnfetch;
    }

    private static class Native
    {
        [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
        public static extern SqliteVfs* sqlite3_vfs_find(byte* name);

        [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
        public static extern int sqlite3_vfs_register(SqliteVfs* vfs, int makeDefault);

        [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
        public static extern int sqlite3_file_control(IntPtr db, byte* name, int op, void* argument);
    }
}
