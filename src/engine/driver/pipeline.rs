//! The pipeline of [`Comparison::run_range`] for a comparison of throughput forecasts
//! ([`Comparison::run_pipelined`]): workers that each simulate the next batch or deliver the
//! next one in order, whichever is due, on what they share ([`Pipe`]).

use super::{Batch, Comparison, Prepare, Sink, BATCH};

impl Comparison {
    /// [`Comparison::run_range`] for a comparison of throughput forecasts, whose
    /// replications cost about as much to simulate as to deliver (aggregate and format):
    /// a pipeline shared out on demand. Each of as many workers as the pool has threads
    /// (each on a one-thread pool of its own, so that the sink's parallel work runs inline,
    /// without a hand-off per task: rayon's small tasks cost more than they save here)
    /// delivers the next batch in order when it is simulated and no other worker is
    /// delivering, and otherwise simulates the next batch. Delivery stays one batch at a
    /// time in order (the sink sees the same batches in the same order: the same results),
    /// but no worker is bound to a stage: with two cores each does about half of all the
    /// work, instead of the busier stage setting the pace. This thread reports progress.
    pub(super) fn run_pipelined(
        &self,
        start: u64,
        end: u64,
        sink: &mut (dyn Sink + Send),
        prepare: Option<&dyn Prepare>,
        progress: &dyn Fn(u64),
    ) -> anyhow::Result<()> {
        use std::sync::{Condvar, Mutex};
        let workers = rayon::current_num_threads().max(2);
        let pools = (0..workers)
            .map(|i| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(1)
                    .thread_name(move |_| format!("backsim-pipe-{i}"))
                    .build()
            })
            .collect::<Result<Vec<_>, _>>()?;
        let pipe = Pipe {
            state: Mutex::new(PipeState {
                next: start,
                delivered: start,
                delivering: false,
                ready: Vec::with_capacity(workers + 2),
                // Batches in flight: one a worker (simulating or delivering) and two more
                // waiting their turn, so that a worker seldom waits for a free batch. Each is
                // made by the worker that first needs it: the workers start at once, and make
                // their first batches side by side.
                spare: Vec::with_capacity(workers + 2),
                unmade: workers + 2,
                failed: None,
                stop: false,
                waiting: 0,
            }),
            changed: Condvar::new(),
            finished: Condvar::new(),
            sink: Mutex::new(sink),
            prepare,
            end,
        };
        std::thread::scope(|threads| -> anyhow::Result<()> {
            let pipe = &pipe;
            let handles: Vec<_> = pools
                .iter()
                .enumerate()
                .map(|(w, pool)| threads.spawn(move || pool.install(|| self.pipe_worker(pipe, w))))
                .collect();
            // Progress a few times a second (a wake-up per batch would cost more).
            let mut reported = start;
            let mut st = pipe.lock();
            loop {
                if st.delivered > reported {
                    reported = st.delivered;
                    drop(st);
                    progress(reported);
                    st = pipe.lock();
                    continue;
                }
                if st.stop || st.delivered >= end {
                    break;
                }
                st = pipe
                    .finished
                    .wait_timeout(st, std::time::Duration::from_millis(40))
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
            drop(st);
            for h in handles {
                if let Err(panic) = h.join() {
                    std::panic::resume_unwind(panic);
                }
            }
            match pipe.lock().failed.take() {
                Some(e) => Err(e),
                None => Ok(()),
            }
        })
    }

    /// Worker `worker` of [`Comparison::run_pipelined`]: deliver the next batch when it is
    /// ready and no one delivers, else simulate the next one (and prepare it), else wait.
    fn pipe_worker(&self, pipe: &Pipe<'_>, worker: usize) {
        // A panic stops the other workers and the progress loop (then the panic resumes).
        let _guard = StopOnPanic(pipe);
        let mut st = pipe.lock();
        loop {
            if st.stop {
                return;
            }
            if !st.delivering {
                let at = st.delivered;
                if let Some(i) = st.ready.iter().position(|b| b.start == at) {
                    let b = st.ready.swap_remove(i);
                    st.delivering = true;
                    drop(st);
                    let result = {
                        let mut sink = pipe.sink.lock().unwrap_or_else(|e| e.into_inner());
                        self.deliver(&b, &mut **sink)
                    };
                    st = pipe.lock();
                    st.delivering = false;
                    st.delivered += b.len as u64;
                    st.spare.push(b);
                    if let Err(e) = result {
                        st.failed = Some(e);
                        st.stop = true;
                    }
                    pipe.notify(&st);
                    continue;
                }
            }
            if st.next < pipe.end && (!st.spare.is_empty() || st.unmade > 0) {
                let spare = st.spare.pop();
                if spare.is_none() {
                    st.unmade -= 1;
                }
                let (start, len) = (st.next, (pipe.end - st.next).min(BATCH) as usize);
                st.next += len as u64;
                drop(st);
                let mut b = spare.unwrap_or_else(|| self.batch(start, pipe.end));
                (b.start, b.len) = (start, len);
                self.simulate_batch(&mut b, true);
                self.prepare(&mut b, pipe.prepare, worker);
                st = pipe.lock();
                st.ready.push(b);
                pipe.notify(&st);
                continue;
            }
            if st.delivered >= pipe.end {
                return;
            }
            st.waiting += 1;
            st = pipe.wait(st);
            st.waiting -= 1;
        }
    }
}

/// What the workers of [`Comparison::run_pipelined`] share.
struct Pipe<'a> {
    state: std::sync::Mutex<PipeState>,
    /// Signalled to waiting workers whenever a batch is simulated or delivered, or the
    /// pipeline stops.
    changed: std::sync::Condvar,
    /// Signalled when the last batch is delivered or the pipeline stops (for progress).
    finished: std::sync::Condvar,
    sink: std::sync::Mutex<&'a mut (dyn Sink + Send)>,
    /// The hook each worker runs on the batches it simulates.
    prepare: Option<&'a dyn Prepare>,
    /// The replication after the last.
    end: u64,
}

struct PipeState {
    /// The first replication not yet handed to a worker to simulate.
    next: u64,
    /// The first replication not yet delivered (the start of the next batch to deliver).
    delivered: u64,
    /// Whether a worker is delivering a batch.
    delivering: bool,
    /// Simulated batches waiting for their turn to be delivered.
    ready: Vec<Batch>,
    /// Batches free to simulate into.
    spare: Vec<Batch>,
    /// Batches not yet made (the worker that needs one makes it).
    unmade: usize,
    /// The sink's error, which stops the pipeline.
    failed: Option<anyhow::Error>,
    /// Set on an error or a worker's panic: every worker returns.
    stop: bool,
    /// Workers waiting on [`Pipe::changed`] (none, usually: then no wake-up is sent).
    waiting: usize,
}

impl Pipe<'_> {
    fn lock(&self) -> std::sync::MutexGuard<'_, PipeState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wait<'g>(
        &self,
        guard: std::sync::MutexGuard<'g, PipeState>,
    ) -> std::sync::MutexGuard<'g, PipeState> {
        self.changed.wait(guard).unwrap_or_else(|e| e.into_inner())
    }

    /// Wake the waiting workers (if any), and the progress loop when the run is over.
    fn notify(&self, st: &PipeState) {
        if st.waiting > 0 || st.stop {
            self.changed.notify_all();
        }
        if st.stop || st.delivered >= self.end {
            self.finished.notify_all();
        }
    }
}

/// Stops the pipeline when the worker holding it unwinds.
struct StopOnPanic<'p, 'a>(&'p Pipe<'a>);

impl Drop for StopOnPanic<'_, '_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut st = self.0.lock();
            st.stop = true;
            self.0.notify(&st);
        }
    }
}
