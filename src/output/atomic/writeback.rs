//! Writeback started while a large file is written, so that its sync before the renames
//! ([`PendingFile::finish`]) waits for little: the kernel writes the file to disk during the
//! simulation (and while the charts are drawn) instead of all at once at the end.
//!
//! Only a hint to the kernel (Linux `sync_file_range(SYNC_FILE_RANGE_WRITE)`, elsewhere
//! nothing): the file is still synced whole by [`PendingFile::finish`], which reports any error
//! of the writeback (Linux records it for every descriptor open on the file, and `fsync`
//! returns it), so reliability rests on `finish` as before. An error the hint itself returns
//! fails the write at once, which is only sooner.

use super::PendingFile;
use std::fs::File;
use std::io::{BufWriter, Seek, Write};

/// Bytes written between two writeback hints of a [`Streaming`] writer.
pub const WRITEBACK_CHUNK: u64 = 4 << 20;

impl PendingFile {
    /// A writer into this file that starts the writeback of what it wrote every
    /// `chunk` bytes ([`WRITEBACK_CHUNK`] for a large file streamed during a long run).
    pub fn streaming(&mut self, chunk: u64) -> std::io::Result<Streaming<'_>> {
        let writer = self.writer();
        let at = writer.get_mut().stream_position()? + writer.buffer().len() as u64;
        Ok(Streaming {
            writer,
            at,
            hinted: 0,
            chunk: chunk.max(1),
        })
    }

    /// Flush what is buffered and start the writeback of the whole file (still under its
    /// temporary name), for a file complete long before the set commits: its sync in
    /// [`PendingFile::finish`] then waits for less. The file stays open for more writes.
    pub fn start_writeback(&mut self) -> std::io::Result<()> {
        if let Some(w) = self.writer.as_mut() {
            w.flush()?;
            hint(w.get_ref(), 0, 0)?;
        }
        Ok(())
    }
}

/// A writer into a [`PendingFile`] that starts the writeback of each chunk it wrote
/// ([`PendingFile::streaming`]). The bytes written are those given, in order: only when the
/// kernel writes them to disk changes.
pub struct Streaming<'a> {
    writer: &'a mut BufWriter<File>,
    /// Bytes given to the file so far: those in the buffer and those before them.
    at: u64,
    /// Bytes of the file whose writeback was started.
    hinted: u64,
    chunk: u64,
}

impl Write for Streaming<'_> {
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
mod tests {
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
            let mut s = f.streaming(10_000).unwrap();
            for i in 0..40 {
                let p = piece(i + round);
                s.write_all(&p).unwrap();
                expected.extend_from_slice(&p);
                let on_disk = s.writer.get_ref().metadata().unwrap().len();
                assert!(s.hinted <= on_disk, "a hint past what the file holds");
                assert_eq!(s.at, on_disk + s.writer.buffer().len() as u64);
            }
            assert!(s.hinted > 0, "hints were given");
            f.start_writeback().unwrap();
        }
        super::super::commit_all(vec![f]).unwrap();
        assert!(std::fs::read(&target).unwrap() == expected);
    }
}
