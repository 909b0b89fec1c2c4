//! A large streamed file written around the page cache (Linux `O_DIRECT`; elsewhere
//! [`super::direct`] always refuses): its bytes go from aligned buffers of this process
//! straight to the disk, on a writing thread of its own, so the kernel neither copies them
//! into cached pages nor writes those back later (for runs.csv, 65 MB at 1 000 000 runs,
//! that was half the kernel's part of a run).
//!
//! The bytes that reach the file are those given, in order; the file is still a temporary
//! file until its set commits, and synced before ([`super::super::PendingFile::finish`]).
//! Where the file cannot be written that way ([`Direct::start`] says so: a file system or
//! a kind of file without direct writes) the caller streams it through the page cache as
//! before; a direct write the file system refuses later (`EINVAL`: it wants another
//! alignment) is made again through the page cache, and so is every write after it. The
//! file's last partial block goes through the page cache too ([`Direct::finish`]).

use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::mpsc;

/// The alignment of a direct write's memory, offset and length (the largest logical block
/// of common disks, and the page size).
pub const ALIGN: usize = 4096;

/// Bytes of a buffer handed to the writing thread (a multiple of [`ALIGN`]).
pub const BUF: usize = 1 << 20;

/// Buffers at most: one being filled while the others are written.
const BUFFERS: usize = 3;

/// A buffer of [`BUF`] bytes whose first byte is aligned to [`ALIGN`] (inside a vector a
/// block longer).
pub struct Buffer {
    bytes: Vec<u8>,
    start: usize,
}

impl Buffer {
    fn new() -> Buffer {
        let bytes = vec![0u8; BUF + ALIGN];
        let start = bytes.as_ptr().align_offset(ALIGN);
        assert!(start < ALIGN, "an aligned place in the buffer");
        Buffer { bytes, start }
    }

    fn get(&self) -> &[u8] {
        &self.bytes[self.start..self.start + BUF]
    }

    fn get_mut(&mut self) -> &mut [u8] {
        &mut self.bytes[self.start..self.start + BUF]
    }
}

/// A buffer's bytes, to be written at this offset of the file.
type Job = (Buffer, u64);

/// A file being written directly: the bytes given go to the buffer being filled, and each
/// full buffer to the writing thread (started with the first), which gives it back once
/// written (or its error). Dropped unfinished, its thread ends after the write under way.
pub struct Direct {
    file: File,
    current: Buffer,
    /// Bytes of `current` in use.
    filled: usize,
    /// The file offset of `current`'s first byte (a multiple of [`ALIGN`]).
    offset: u64,
    /// Buffers made so far.
    made: usize,
    /// Buffers with the writing thread.
    in_flight: usize,
    /// The writing thread's queue and its answers (none before the first full buffer).
    thread: Option<Writer>,
    /// Whether a write failed (its error was returned; the file is not to be finished).
    failed: bool,
}

struct Writer {
    jobs: mpsc::Sender<Job>,
    done: mpsc::Receiver<io::Result<Buffer>>,
    handle: std::thread::JoinHandle<()>,
}

impl Direct {
    /// The rest of `writer`'s file (at `path`) written directly, starting with what it holds
    /// in its buffer; `writer` back, untouched, when the file does not take direct writes.
    pub fn start(mut writer: BufWriter<File>, path: &Path) -> Result<Direct, BufWriter<File>> {
        // The bytes of the file's last partial block are read back (by a handle of their
        // own: the writer's may not read): that block is written again whole.
        let Ok(at) = writer.get_mut().stream_position() else {
            return Err(writer);
        };
        let offset = at - at % ALIGN as u64;
        let head = (at - offset) as usize;
        let mut current = Buffer::new();
        if head > 0 {
            let read = File::open(path)
                .and_then(|f| f.read_exact_at(&mut current.get_mut()[..head], offset));
            if read.is_err() {
                return Err(writer);
            }
        }
        // What the writer holds goes in the buffer after them (a BufWriter's buffer is far
        // smaller: this is only a guard).
        let filled = head + writer.buffer().len();
        if filled >= BUF || set_direct(writer.get_ref(), true).is_err() {
            return Err(writer);
        }
        // A File's writes do not panic: what the buffer holds was not written.
        let (file, pending) = writer.into_parts();
        let pending = pending.unwrap_or_else(|p| p.into_inner());
        current.get_mut()[head..filled].copy_from_slice(&pending);
        Ok(Direct {
            file,
            current,
            filled,
            offset,
            made: 1,
            in_flight: 0,
            thread: None,
            failed: false,
        })
    }

    /// Append `bytes`: each buffer filled goes to the writing thread. An error is that of a
    /// write before (the thread's), or of this one.
    pub fn write_all(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        if self.failed {
            return Err(io::Error::other("an earlier write failed"));
        }
        while !bytes.is_empty() {
            let n = bytes.len().min(BUF - self.filled);
            self.current.get_mut()[self.filled..self.filled + n].copy_from_slice(&bytes[..n]);
            self.filled += n;
            bytes = &bytes[n..];
            if self.filled == BUF {
                if let Err(e) = self.hand_over() {
                    self.failed = true;
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// The full buffer to the writing thread (or written here if it cannot start), and the
    /// next one to fill: a new one, or one the thread is done with.
    fn hand_over(&mut self) -> io::Result<()> {
        let next = if self.made < BUFFERS {
            self.made += 1;
            Buffer::new()
        } else {
            self.take_back()?
        };
        let full = std::mem::replace(&mut self.current, next);
        let offset = self.offset;
        self.offset += BUF as u64;
        self.filled = 0;
        if self.thread.is_none() {
            self.thread = Some(self.spawn()?);
        }
        let w = self.thread.as_ref().ok_or_else(gone)?;
        match w.jobs.send((full, offset)) {
            Ok(()) => {
                self.in_flight += 1;
                Ok(())
            }
            // The thread ended early: only after an error, which it sent back first.
            Err(_) => Err(self.take_back().err().unwrap_or_else(gone)),
        }
    }

    /// The writing thread, with its own handle on the file.
    fn spawn(&self) -> io::Result<Writer> {
        let file = self.file.try_clone()?;
        let (jobs, queue) = mpsc::channel::<Job>();
        let (answers, done) = mpsc::channel();
        let handle = std::thread::Builder::new()
            .name("backsim-write".into())
            .spawn(move || {
                let mut direct = true;
                for (buffer, offset) in queue {
                    let written = write_at(&file, buffer.get(), offset, &mut direct);
                    let failed = written.is_err();
                    if answers.send(written.map(|()| buffer)).is_err() || failed {
                        return;
                    }
                }
            })?;
        Ok(Writer { jobs, done, handle })
    }

    /// A buffer the writing thread is done with, or its error.
    fn take_back(&mut self) -> io::Result<Buffer> {
        let w = self.thread.as_ref().ok_or_else(gone)?;
        let answer = w.done.recv().map_err(|_| gone())?;
        self.in_flight -= 1;
        answer
    }

    /// Wait for every write, then write what the buffer holds, its last partial block
    /// through the page cache: the file, whole, with its position at its end (to be synced).
    pub fn finish(mut self) -> io::Result<File> {
        if self.failed {
            return Err(io::Error::other("an earlier write failed"));
        }
        while self.in_flight > 0 {
            self.take_back()?;
        }
        if let Some(w) = self.thread.take() {
            drop(w.jobs);
            // It ends with its queue; a panic (none is expected) is reported.
            w.handle.join().map_err(|_| gone())?;
        }
        // The buffer's whole blocks directly, the last partial one through the cache.
        let whole = self.filled - self.filled % ALIGN;
        let bytes = &self.current.get()[..self.filled];
        write_at(&self.file, &bytes[..whole], self.offset, &mut true)?;
        set_direct(&self.file, false)?;
        let end = self.offset + whole as u64;
        self.file.write_all_at(&bytes[whole..], end)?;
        self.file
            .seek(SeekFrom::Start(self.offset + bytes.len() as u64))?;
        Ok(self.file)
    }
}

fn gone() -> io::Error {
    io::Error::other("the writing thread stopped")
}

/// Write all of `bytes` at `offset` of `file`. A direct write the file system refuses
/// (`EINVAL`) turns the file's writes buffered (`direct` false) and is made again.
fn write_at(file: &File, mut bytes: &[u8], mut offset: u64, direct: &mut bool) -> io::Result<()> {
    while !bytes.is_empty() {
        match file.write_at(bytes, offset) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => {
                bytes = &bytes[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if *direct && e.raw_os_error() == Some(libc::EINVAL) => {
                set_direct(file, false)?;
                *direct = false;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Turn `file`'s writes (and reads) direct or back (its open file description: every
/// handle on it). An error when the file does not take direct writes.
pub fn set_direct(file: &File, on: bool) -> io::Result<()> {
    use std::os::unix::io::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: fcntl with F_GETFL / F_SETFL takes a descriptor and an integer, no memory; the
    // descriptor is open (borrowed from `file` for the calls); a flag the file refuses is an
    // error return (EINVAL).
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    let wanted = if on {
        flags | libc::O_DIRECT
    } else {
        flags & !libc::O_DIRECT
    };
    if wanted != flags && unsafe { libc::fcntl(fd, libc::F_SETFL, wanted) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(test)]
#[path = "direct_tests.rs"]
mod tests;
