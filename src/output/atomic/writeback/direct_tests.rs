//! Tests of `direct`: the bytes that reach the file, the fallbacks, the errors.

use super::*;
use crate::output::atomic::writeback::forget_tests::{keeps_every_page, resident};
use crate::output::atomic::writeback::Streaming;
use crate::output::atomic::{commit_all, write_file, PendingFile};
use std::io::Write;

/// A folder on the build's file system (ignored by git), not /tmp (often tmpfs).
fn build_dir() -> tempfile::TempDir {
    let build = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&build).unwrap();
    tempfile::tempdir_in(build).unwrap()
}

/// Whether files in `dir` take direct writes (a probe file made and removed).
fn takes_direct(dir: &std::path::Path) -> bool {
    let probe = dir.join("probe");
    let file = File::create(&probe).unwrap();
    let ok = set_direct(&file, true).is_ok();
    std::fs::remove_file(probe).unwrap();
    ok
}

/// Whether `file`'s writes are direct now.
fn is_direct(file: &File) -> bool {
    use std::os::unix::io::AsRawFd;
    // SAFETY: F_GETFL reads the flags of an open descriptor, borrowed for the call.
    let flags = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETFL) };
    assert!(flags >= 0);
    flags & libc::O_DIRECT != 0
}

/// Pieces of many sizes (a byte, a few, less and more than a block or a buffer), their
/// bytes varying with `i`.
fn piece(i: usize) -> Vec<u8> {
    let len = [1, 70, 4095, 4097, 65_536, 200_003, BUF - 1, BUF + 17][i % 8];
    (0..len).map(|k| (k * 31 + i * 7) as u8).collect()
}

/// The bytes given reach the file in order, with what the file held before (flushed, its
/// last block partial, and still in its writer's buffer), across more buffers than are
/// made (each written and given back), and a last partial block; on a file system that
/// keeps no page it need not, the file's pages were never cached.
#[test]
fn a_direct_file_holds_what_was_written() {
    let dir = build_dir();
    if !takes_direct(dir.path()) {
        return;
    }
    for flushed in [0usize, 5000, 8192] {
        let target = dir.path().join(format!("runs-{flushed}.csv"));
        let mut f = PendingFile::create(&target).unwrap();
        let mut expected: Vec<u8> = (0..flushed).map(|k| (k % 251) as u8).collect();
        f.writer().write_all(&expected).unwrap();
        f.writer().flush().unwrap();
        f.writer().write_all(b"header\n").unwrap();
        expected.extend_from_slice(b"header\n");
        for round in 0..2 {
            let mut s = f.streaming(1 << 20).unwrap();
            let Streaming::Direct(d) = &s else {
                panic!("direct on a file system that takes it: {flushed} {round}")
            };
            assert!(is_direct(&d.file));
            for i in 0..20 {
                let p = piece(i + round);
                s.write_all(&p).unwrap();
                expected.extend_from_slice(&p);
            }
            s.flush().unwrap();
        }
        assert!(expected.len() > (BUFFERS + 3) * BUF, "buffers reused");
        f.sync_behind().unwrap();
        commit_all(vec![f]).unwrap();
        let file = File::open(&target).unwrap();
        assert!(!is_direct(&file));
        if !keeps_every_page(dir.path()) {
            // At most the pages written before it turned direct, and the last one.
            let cached = resident(&file);
            assert!(
                cached <= flushed.div_ceil(ALIGN) + 1,
                "{cached} pages cached"
            );
        }
        assert!(std::fs::read(&target).unwrap() == expected, "{flushed}");
    }
}

/// A file that does not take direct writes (here a special file) is given back untouched,
/// what its writer held included, and streamed through the page cache.
#[test]
fn a_file_that_refuses_streams_as_before() {
    let mut w = BufWriter::new(File::create("/dev/null").unwrap());
    w.write_all(b"held").unwrap();
    let Err(w) = Direct::start(w, Path::new("/dev/null")) else {
        panic!("/dev/null took direct writes")
    };
    assert_eq!(w.buffer(), b"held");
    assert!(!is_direct(w.get_ref()));

    let dir = tempfile::tempdir().unwrap();
    let mut f = write_file(&dir.path().join("runs.csv"), b"a").unwrap();
    f.writer = Some(BufWriter::new(File::create("/dev/null").unwrap()));
    let s = f.streaming(8).unwrap();
    assert!(matches!(s, Streaming::Hinted(_)));
    // And a file that would take them, asked not to.
    let dir = build_dir();
    let mut f = write_file(&dir.path().join("runs.csv"), b"a").unwrap();
    assert!(matches!(
        f.streaming_as(8, false).unwrap(),
        Streaming::Hinted(_)
    ));
    assert!(f.direct.is_none());
}

/// A direct write the file system refuses (here: an offset off the alignment) is made
/// through the page cache, and the file's writes stay buffered after it.
#[test]
fn a_refused_direct_write_goes_through_the_cache() {
    let dir = build_dir();
    if !takes_direct(dir.path()) || keeps_every_page(dir.path()) {
        return;
    }
    let path = dir.path().join("f");
    let file = File::create(&path).unwrap();
    set_direct(&file, true).unwrap();
    let mut direct = true;
    write_at(&file, b"odd", 100, &mut direct).unwrap();
    assert!(!direct && !is_direct(&file), "turned buffered");
    write_at(&file, b"more", 103, &mut direct).unwrap();
    let mut expected = vec![0u8; 100];
    expected.extend_from_slice(b"oddmore");
    assert_eq!(std::fs::read(&path).unwrap(), expected);
    // Aligned, the write stays direct.
    let file = File::create(&path).unwrap();
    set_direct(&file, true).unwrap();
    let mut direct = true;
    let mut block = Buffer::new();
    block.get_mut()[..ALIGN].fill(7);
    write_at(&file, &block.get()[..ALIGN], 0, &mut direct).unwrap();
    assert!(direct && is_direct(&file));
    assert_eq!(std::fs::read(&path).unwrap(), vec![7u8; ALIGN]);
}

/// The writing thread's error reaches the writer (a later write, or the finish), every
/// write after it fails, and a set holding the file does not commit.
#[test]
fn a_failed_direct_write_fails_the_file() {
    let dir = build_dir();
    if !takes_direct(dir.path()) {
        return;
    }
    let path = dir.path().join("ro");
    std::fs::write(&path, b"").unwrap();
    // A handle that cannot write: every write is EBADF.
    let Ok(mut d) = Direct::start(BufWriter::new(File::open(&path).unwrap()), &path) else {
        panic!("direct")
    };
    let big = vec![1u8; BUF];
    let err = (0..2 * BUFFERS)
        .find_map(|_| d.write_all(&big).err())
        .expect("an error within a few buffers");
    assert_eq!(err.raw_os_error(), Some(libc::EBADF));
    assert!(d.write_all(b"x").is_err() && d.finish().is_err());
    // Before any buffer is full, the error comes with the finish.
    let Ok(mut d) = Direct::start(BufWriter::new(File::open(&path).unwrap()), &path) else {
        panic!("direct")
    };
    d.write_all(&big).unwrap();
    d.write_all(b"x").unwrap();
    assert_eq!(d.finish().unwrap_err().raw_os_error(), Some(libc::EBADF));

    let target = dir.path().join("runs.csv");
    commit_all(vec![write_file(&target, b"old").unwrap()]).unwrap();
    let mut f = PendingFile::create(&target).unwrap();
    f.writer = Some(BufWriter::new(File::open(f.temp()).unwrap()));
    f.streaming(8).unwrap().write_all(&big).unwrap();
    let err = format!("{:#}", commit_all(vec![f]).unwrap_err());
    assert!(
        err.contains("cannot write") && err.contains("runs.csv"),
        "{err}"
    );
    assert_eq!(std::fs::read(&target).unwrap(), b"old");
}
