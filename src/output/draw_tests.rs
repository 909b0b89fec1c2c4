//! [`draw_pending`]: every chart that applies, in each format asked for and no other, and a
//! report that shows each of them, all pending until committed.

use super::*;

fn drawn(formats: ImageFormat) -> (tempfile::TempDir, Vec<ChartKind>) {
    let dir = tempfile::tempdir().unwrap();
    fixture::write(dir.path(), 2, 30).unwrap();
    let results = Results::read(dir.path()).unwrap();
    let kinds = ChartKind::applying(&results);
    assert!(kinds.len() >= 3, "{kinds:?}");
    let pending = draw_pending(&results, dir.path(), formats).unwrap();
    assert!(
        !dir.path().join("report.html").exists(),
        "nothing takes its name before the commit"
    );
    atomic::commit_all(pending).unwrap();
    (dir, kinds)
}

#[test]
fn every_chart_in_each_format_asked_for_and_the_report_shows_them() {
    for formats in [ImageFormat::Png, ImageFormat::Svg, ImageFormat::Both] {
        let (dir, kinds) = drawn(formats);
        for kind in &kinds {
            let stem = dir.path().join(kind.file_stem());
            for (ext, wanted) in [("png", formats.png()), ("svg", formats.svg())] {
                let file = stem.with_extension(ext);
                assert_eq!(file.exists(), wanted, "{} with {formats:?}", file.display());
                if wanted {
                    assert!(std::fs::metadata(&file).unwrap().len() > 1000, "{ext}");
                }
            }
        }
        let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
        assert_eq!(html.matches("<svg").count(), kinds.len(), "{formats:?}");
    }
}
