//! Getting the files of a set to disk with as little waiting as possible, every file still
//! synced before any takes its name ([`super::commit_all`] calls [`PendingFile::finish`]):
//!
//! - a large file streamed during a long run starts its writeback as it is written
//!   ([`PendingFile::streaming`]: Linux `sync_file_range(SYNC_FILE_RANGE_WRITE)` every few
//!   MiB, elsewhere nothing), so that the kernel writes it to disk during the simulation
//!   instead of all at once at the end;
//! - a complete file can be handed to the syncing thread ([`PendingFile::sync_behind`]), which
//!   syncs it while the command goes on (draws the charts); [`PendingFile::finish`] then waits
//!   for that sync and reports its error, so the set commits only once every file is synced.
//!
//! - on Linux that large file is written around the page cache ([`direct`]: `O_DIRECT`, from
//!   aligned buffers on a writing thread), so the kernel copies nothing and has nothing to
//!   write back; where the file system refuses, it is streamed with the hints above;
//!
//! - a large file about to be replaced has its cached pages dropped on the syncing thread
//!   while the run goes on ([`PendingFile::streaming`], [`forget_cached`]): its last link
//!   goes at the commit's rename, which would otherwise free them then, with the process
//!   waiting (about 15 ms for a 65 MB runs.csv).
//!
//! The writeback hint is only a hint: the sync reports any error of the writeback (Linux
//! records it for every descriptor open on the file, and `fsync` returns it). An error the
//! hint itself returns fails the write at once, which is only sooner.

use super::PendingFile;
#[cfg(target_os = "linux")]
pub mod direct;

/// Elsewhere no file takes direct writes.
#[cfg(not(target_os = "linux"))]
pub mod direct {
    use std::fs::File;
    use std::io::BufWriter;

    pub enum Direct {}

    impl Direct {
        pub fn start(
            writer: BufWriter<File>,
            _: &std::path::Path,
        ) -> Result<Direct, BufWriter<File>> {
            Err(writer)
        }

        pub fn write_all(&mut self, _: &[u8]) -> std::io::Result<()> {
            match *self {}
        }

        pub fn finish(self) -> std::io::Result<File> {
            match self {}
        }
    }
}
use anyhow::{Context, Result};
use std::fs::File;
use std::io::{BufWriter, Seek, Write};
use std::sync::{mpsc, Mutex};

/// Bytes written between two writeback hints of a [`Streaming`] writer.
pub const WRITEBACK_CHUNK: u64 = 4 << 20;

impl PendingFile {
    /// A writer into this file for a large file streamed during a long run: the bytes go
    /// around the page cache where the file system allows ([`direct`]), else it starts the
    /// writeback of what it wrote every `chunk` bytes ([`WRITEBACK_CHUNK`]). Once direct,
    /// the file takes its writes only through `streaming` until it is finished.
    pub fn streaming(&mut self, chunk: u64) -> std::io::Result<Streaming<'_>> {
        self.streaming_as(chunk, true)
    }

    /// [`PendingFile::streaming`], direct only if `direct` (tests take either way).
    pub(crate) fn streaming_as(
        &mut self,
        chunk: u64,
        direct: bool,
    ) -> std::io::Result<Streaming<'_>> {
        forget_cached(&self.target);
        if direct && self.direct.is_none() {
            let writer = self.writer.take().expect("open until finished");
            match direct::Direct::start(writer, &self.temp) {
                Ok(d) => self.direct = Some(d),
                Err(writer) => self.writer = Some(writer),
            }
        }
        if let Some(d) = &mut self.direct {
            return Ok(Streaming::Direct(d));
        }
        let writer = self.writer.as_mut().expect("open until finished");
        let at = writer.get_mut().stream_position()? + writer.buffer().len() as u64;
        Ok(Streaming::Hinted(Hinted {
            writer,
            at,
            hinted: 0,
            chunk: chunk.max(1),
        }))
    }

    /// Flush and sync; the file is complete but still under its temporary name. A file
    /// handed to the syncing thread ([`PendingFile::sync_behind`]) waits for its sync there.
    pub fn finish(&mut self) -> Result<()> {
        if let Some(file) = self.flushed()? {
            let shown = self.target.display();
            file.sync_all()
                .with_context(|| format!("cannot write {shown}"))?;
        }
        if let Some(synced) = self.syncing.take() {
            synced
                .recv()
                .unwrap_or_else(|_| Err(std::io::Error::other("its sync did not complete")))
                .with_context(|| format!("cannot write {}", self.target.display()))?;
        }
        Ok(())
    }

    /// Flush the file, complete, and hand it to the syncing thread: it is synced while the
    /// command goes on, and [`PendingFile::finish`] (before the set commits) waits for that
    /// sync and reports its error. The file takes no more writes; it can be read by its
    /// temporary path at once.
    pub fn sync_behind(&mut self) -> Result<()> {
        let Some(file) = self.flushed()? else {
            return Ok(());
        };
        let (done, synced) = mpsc::channel();
        match hand_to_syncer(SyncJob::Sync(file, done)) {
            Ok(()) => self.syncing = Some(synced),
            // No syncing thread: the sync here and now.
            Err(SyncJob::Sync(file, _) | SyncJob::Forget(file)) => file
                .sync_all()
                .with_context(|| format!("cannot write {}", self.target.display()))?,
        }
        Ok(())
    }

    /// The file, flushed and taken from its writer (none if already taken).
    fn flushed(&mut self) -> Result<Option<File>> {
        let shown = self.target.display();
        if let Some(d) = self.direct.take() {
            let file = d
                .finish()
                .with_context(|| format!("cannot write {shown}"))?;
            return Ok(Some(file));
        }
        let Some(mut w) = self.writer.take() else {
            return Ok(None);
        };
        w.flush().with_context(|| format!("cannot write {shown}"))?;
        let file = w
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("cannot write {shown}"))?;
        Ok(Some(file))
    }
}

/// What the syncing thread does, one job after another in the order handed over.
enum SyncJob {
    /// Sync a file, and send the result.
    Sync(File, mpsc::Sender<std::io::Result<()>>),
    /// Drop a file's cached pages ([`forget_cached`]).
    Forget(File),
}

/// Have the syncing thread drop the cached pages of the file at `target`, if there is one:
/// a file that a result set is about to replace. Its pages are then freed while the command
/// goes on rather than by the rename that replaces it, with the process waiting. Only a
/// hint (Linux `posix_fadvise(POSIX_FADV_DONTNEED)`; elsewhere nothing): the file's bytes
/// do not change, pages not yet written to disk stay, and an error changes nothing.
pub fn forget_cached(target: &std::path::Path) {
    if !cfg!(target_os = "linux") {
        return;
    }
    if let Ok(file) = File::open(target) {
        if let Err(SyncJob::Forget(file)) = hand_to_syncer(SyncJob::Forget(file)) {
            drop_cache(&file);
        }
    }
}

/// Drop the clean cached pages of `file` (a hint: nothing else changes, errors included).
#[cfg(target_os = "linux")]
fn drop_cache(file: &File) {
    use std::os::unix::io::AsRawFd;
    // SAFETY: posix_fadvise takes a descriptor and three integers, no memory: the descriptor
    // is open (borrowed from `file` for the call), and the advice only drops clean pages of
    // the page cache (the file's bytes stay as they are); a bad argument is an error return.
    let _ = unsafe { libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
}

#[cfg(not(target_os = "linux"))]
fn drop_cache(_file: &File) {}

/// The syncing thread's queue (started on first use; it lives as long as the process).
static SYNCER: Mutex<Option<mpsc::Sender<SyncJob>>> = Mutex::new(None);

/// Queue `job` on the syncing thread, starting it if needed; the job back if it cannot run.
fn hand_to_syncer(job: SyncJob) -> std::result::Result<(), SyncJob> {
    let mut syncer = SYNCER.lock().unwrap_or_else(|e| e.into_inner());
    let queue = match syncer.as_ref() {
        Some(queue) => queue,
        None => {
            let (queue, jobs) = mpsc::channel::<SyncJob>();
            let started = std::thread::Builder::new()
                .name("backsim-sync".into())
                .spawn(move || {
                    // One job after another, in the order handed over.
                    for job in jobs {
                        match job {
                            SyncJob::Sync(file, done) => {
                                let _ = done.send(file.sync_all());
                            }
                            SyncJob::Forget(file) => drop_cache(&file),
                        }
                    }
                });
            if started.is_err() {
                return Err(job);
            }
            syncer.insert(queue)
        }
    };
    if let Err(mpsc::SendError(job)) = queue.send(job) {
        // The thread is gone (it does not panic, but if it did): a new one next time.
        *syncer = None;
        return Err(job);
    }
    Ok(())
}

/// A writer into a [`PendingFile`] streamed during a long run ([`PendingFile::streaming`]).
/// The bytes written are those given, in order: only how and when the kernel writes them to
/// disk changes.
pub enum Streaming<'a> {
    /// Around the page cache ([`direct`]). Its `flush` passes on nothing: the last partial
    /// block waits for the file's [`PendingFile::finish`].
    Direct(&'a mut direct::Direct),
    /// Through the page cache, with writeback hints.
    Hinted(Hinted<'a>),
}

impl Write for Streaming<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Streaming::Direct(d) => d.write_all(buf).map(|()| buf.len()),
            Streaming::Hinted(h) => h.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Streaming::Direct(_) => Ok(()),
            Streaming::Hinted(h) => h.flush(),
        }
    }
}

/// A writer into a [`PendingFile`] that starts the writeback of each chunk it wrote.
pub struct Hinted<'a> {
    writer: &'a mut BufWriter<File>,
    /// Bytes given to the file so far: those in the buffer and those before them.
    at: u64,
    /// Bytes of the file whose writeback was started.
    hinted: u64,
    chunk: u64,
}

impl Write for Hinted<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.writer.write(buf)?;
        self.at += n as u64;
        // What the buffer passed on to the file.
        let passed = self.at - self.writer.buffer().len() as u64;
        if passed - self.hinted >= self.chunk {
            hint(self.writer.get_ref(), self.hinted, passed - self.hinted)?;
            self.hinted = passed;
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

/// Start the writeback of `len` bytes of `file` from `offset` (0: to its end); do not wait.
#[cfg(target_os = "linux")]
fn hint(file: &File, offset: u64, len: u64) -> std::io::Result<()> {
    use std::os::unix::io::AsRawFd;
    let (Ok(offset), Ok(len)) = (
        libc::off64_t::try_from(offset),
        libc::off64_t::try_from(len),
    ) else {
        return Ok(());
    };
    // SAFETY: sync_file_range takes a descriptor and three integers, no memory: the
    // descriptor is open (borrowed from `file` for the call), and a wrong range or flag is
    // an error return (EINVAL), not undefined behaviour.
    let r = unsafe {
        libc::sync_file_range(file.as_raw_fd(), offset, len, libc::SYNC_FILE_RANGE_WRITE)
    };
    if r == 0 {
        return Ok(());
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        // The file system or the kind of file does not take the hint: the sync does it all.
        Some(libc::EINVAL | libc::ESPIPE | libc::ENOSYS | libc::EOPNOTSUPP) => Ok(()),
        _ => Err(e),
    }
}

#[cfg(not(target_os = "linux"))]
fn hint(_file: &File, _offset: u64, _len: u64) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::{commit_all, write_file};
    use super::*;

    /// The bytes that reach the file are those written, in order, across many hints and a
    /// writeback of the whole file in the middle; each hint covers only bytes the file has.
    #[test]
    fn a_streamed_file_holds_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("runs.csv");
        let mut f = PendingFile::create(&target).unwrap();
        let mut expected = b"header\n".to_vec();
        f.writer().write_all(b"header\n").unwrap();
        let piece = |i: usize| -> Vec<u8> {
            let len = [1, 70, 9_000, 65_536, 200_003][i % 5];
            (0..len).map(|k| (k * 31 + i) as u8).collect()
        };
        for round in 0..2 {
            let Streaming::Hinted(mut s) = f.streaming_as(10_000, false).unwrap() else {
                unreachable!("hinted")
            };
            for i in 0..40 {
                let p = piece(i + round);
                s.write_all(&p).unwrap();
                expected.extend_from_slice(&p);
                let on_disk = s.writer.get_ref().metadata().unwrap().len();
                assert!(s.hinted <= on_disk, "a hint past what the file holds");
                assert_eq!(s.at, on_disk + s.writer.buffer().len() as u64);
            }
            assert!(s.hinted > 0, "hints were given");
            s.flush().unwrap();
        }
        f.sync_behind().unwrap();
        assert!(f.writer.is_none() && f.syncing.is_some(), "handed over");
        commit_all(vec![f]).unwrap();
        assert!(std::fs::read(&target).unwrap() == expected);
    }

    /// The names in `dir`, sorted (temporary files included): what a failed commit left.
    pub(crate) fn listing(dir: &std::path::Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    /// A sync that fails on the syncing thread fails the commit: no file of the set takes
    /// its name, the earlier set stays whole, and no temporary file is left.
    #[test]
    fn an_error_of_a_sync_behind_fails_the_set() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
        commit_all(vec![
            write_file(&a, b"old a").unwrap(),
            write_file(&b, b"old b").unwrap(),
        ])
        .unwrap();
        let before = listing(dir.path());
        let mut fa = write_file(&a, b"new a").unwrap();
        fa.sync_behind().unwrap();
        let mut fb = write_file(&b, b"new b").unwrap();
        // A file that cannot be synced (Linux: EINVAL for a special file).
        fb.writer = Some(BufWriter::new(File::create("/dev/null").unwrap()));
        fb.sync_behind().unwrap();
        let err = format!("{:#}", commit_all(vec![fa, fb]).unwrap_err());
        assert!(
            err.contains("cannot write") && err.contains("b.csv"),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old a");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "old b");
        assert_eq!(listing(dir.path()), before);
    }

    /// A file whose sync never reports (the syncing thread gone) does not pass for synced.
    #[test]
    fn a_sync_that_never_reports_fails_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut f = write_file(&dir.path().join("a.csv"), b"a").unwrap();
        f.writer = None;
        f.syncing = Some(mpsc::channel().1);
        let err = format!("{:#}", f.finish().unwrap_err());
        assert!(err.contains("did not complete"), "{err}");
    }
}

/// The cache of a replaced file (Linux): dropped on the syncing thread when its successor
/// starts streaming, and its bytes unchanged.
#[cfg(all(test, target_os = "linux"))]
mod forget_tests {
    use super::super::{commit_all, write_file};
    use super::*;
    use std::io::Read;

    /// The pages of `file` in the page cache (`mincore` over a read-only map of it).
    pub(super) fn resident(file: &File) -> usize {
        use std::os::unix::io::AsRawFd;
        let len = file.metadata().unwrap().len() as usize;
        // SAFETY: a shared read-only map of an open file of `len` bytes, checked for failure,
        // read by nothing but mincore (which writes one byte a page into `pages`, sized for
        // the whole length) and unmapped before returning.
        unsafe {
            let map = libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_SHARED,
                file.as_raw_fd(),
                0,
            );
            assert_ne!(map, libc::MAP_FAILED);
            let mut pages = vec![0u8; len.div_ceil(4096)];
            assert_eq!(libc::mincore(map, len, pages.as_mut_ptr()), 0);
            libc::munmap(map, len);
            pages.iter().filter(|&&p| p & 1 == 1).count()
        }
    }

    /// Whether `dir` is on a file system whose cache cannot be dropped (tmpfs keeps every
    /// page: the test has nothing to see there).
    pub(super) fn keeps_every_page(dir: &std::path::Path) -> bool {
        use std::os::unix::ffi::OsStrExt;
        let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).unwrap();
        // SAFETY: statfs reads a NUL-terminated path and writes the struct it is given.
        let mut st: libc::statfs = unsafe { std::mem::zeroed() };
        assert_eq!(unsafe { libc::statfs(path.as_ptr(), &mut st) }, 0);
        const TMPFS_MAGIC: i64 = 0x0102_1994;
        st.f_type as i64 == TMPFS_MAGIC
    }

    #[test]
    fn a_replaced_file_s_cache_is_dropped_when_its_successor_streams() {
        // In the build folder (ignored by git), not /tmp (often tmpfs).
        let build = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
        std::fs::create_dir_all(&build).unwrap();
        let dir = tempfile::tempdir_in(build).unwrap();
        if keeps_every_page(dir.path()) {
            return;
        }
        let target = dir.path().join("runs.csv");
        let old: Vec<u8> = (0..4 << 20).map(|i: u32| (i * 7 % 251) as u8).collect();
        commit_all(vec![write_file(&target, &old).unwrap()]).unwrap();
        let mut file = File::open(&target).unwrap();
        let mut read = Vec::new();
        file.read_to_end(&mut read).unwrap();
        assert_eq!(read, old);
        let before = resident(&file);
        assert!(before > 900, "the file read is cached: {before} pages");

        let mut next = PendingFile::create(&target).unwrap();
        next.streaming(1 << 20)
            .unwrap()
            .write_all(b"new\n")
            .unwrap();
        // The syncing thread takes its jobs in order: once this sync is done, so is the drop.
        let mut probe = write_file(&dir.path().join("probe.csv"), b"x").unwrap();
        probe.sync_behind().unwrap();
        probe.finish().unwrap();
        let after = resident(&file);
        assert!(after < before / 10, "{before} pages cached, {after} after");
        // The old file is whole until the new one takes its name.
        assert_eq!(std::fs::read(&target).unwrap(), old);
        commit_all(vec![next, probe]).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new\n");
    }

    /// No file yet: nothing to drop, and streaming works as before.
    #[test]
    fn a_new_file_streams_with_nothing_to_forget() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("runs.csv");
        forget_cached(&target);
        let mut f = PendingFile::create(&target).unwrap();
        f.streaming(8).unwrap().write_all(b"a,b\n1,2\n").unwrap();
        commit_all(vec![f]).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"a,b\n1,2\n");
    }
}
