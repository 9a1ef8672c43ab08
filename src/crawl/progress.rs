//! The progress bar a crawl draws on a terminal.

use iop_crawler::sources::Progress;
use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A one-line progress bar on stderr, redrawn at most ten times a second.
pub(super) struct Bar {
    label: String,
    last: Mutex<Option<Instant>>,
}

impl Bar {
    pub(super) fn new(label: String) -> Bar {
        let label = if label.chars().count() > 40 {
            let tail: String = label
                .chars()
                .rev()
                .take(39)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            format!("…{tail}")
        } else {
            label
        };
        Bar {
            label,
            last: Mutex::new(None),
        }
    }

    /// Say which source is being read before it reports any progress.
    pub(super) fn start(&self) {
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{} ...", self.label);
        let _ = err.flush();
    }

    pub(super) fn update(&self, p: Progress) {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let finished = p.total.is_some_and(|t| p.done >= t);
        if !finished && last.is_some_and(|t| t.elapsed() < Duration::from_millis(100)) {
            return;
        }
        *last = Some(Instant::now());
        let line = self.render(p);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
    }

    /// `label [#######-----] 7/30`, or `label 7 done` without a total.
    fn render(&self, p: Progress) -> String {
        match p.total {
            Some(total) if total > 0 => {
                let width = 30;
                let filled = ((p.done.min(total) * width) / total) as usize;
                format!(
                    "{} [{}{}] {}/{}",
                    self.label,
                    "#".repeat(filled),
                    "-".repeat(width as usize - filled),
                    p.done,
                    total
                )
            }
            _ => format!("{} {} done", self.label, p.done),
        }
    }

    pub(super) fn clear(&self) {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K");
        let _ = err.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_progress_bar_fills_with_the_work_done() {
        let bar = Bar::new("samhsa-directory=x.csv".into());
        let p = |done, total| Progress { done, total };
        assert_eq!(
            bar.render(p(15, Some(30))),
            format!(
                "samhsa-directory=x.csv [{}{}] 15/30",
                "#".repeat(15),
                "-".repeat(15)
            )
        );
        assert!(bar.render(p(40, Some(30))).contains(&"#".repeat(30)));
        assert_eq!(bar.render(p(7, None)), "samhsa-directory=x.csv 7 done");
        let long = Bar::new(format!("website=https://{}.example.org/", "a".repeat(60)));
        assert_eq!(long.label.chars().count(), 40);
        assert!(long.label.ends_with(".example.org/"));
    }
}
