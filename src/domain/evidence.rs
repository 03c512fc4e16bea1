//! What an evidence file is, judged by its first bytes (never by its name or the type the
//! client declared): PDF, PNG, JPEG, Office documents old (OLE2) and new (OOXML), plain
//! text and CSV. Anything else is refused.

/// How many leading bytes `sniff` needs to decide.
pub const SNIFF_BYTES: usize = 8192;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvidenceType {
    Pdf,
    Png,
    Jpeg,
    /// .doc, .xls, .ppt (OLE2 compound file)
    LegacyOffice,
    Docx,
    Xlsx,
    Pptx,
    Text,
    Csv,
}

impl EvidenceType {
    pub fn content_type(self) -> &'static str {
        match self {
            EvidenceType::Pdf => "application/pdf",
            EvidenceType::Png => "image/png",
            EvidenceType::Jpeg => "image/jpeg",
            EvidenceType::LegacyOffice => "application/x-ole-storage",
            EvidenceType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            EvidenceType::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            EvidenceType::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            EvidenceType::Text => "text/plain; charset=utf-8",
            EvidenceType::Csv => "text/csv; charset=utf-8",
        }
    }

    /// Can a browser show it inline safely (no script can run in it)?
    pub fn viewable_inline(self) -> bool {
        matches!(
            self,
            EvidenceType::Pdf
                | EvidenceType::Png
                | EvidenceType::Jpeg
                | EvidenceType::Text
                | EvidenceType::Csv
        )
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Is this the beginning of UTF-8 text (allowing a character cut at the end)?
fn looks_like_text(head: &[u8]) -> bool {
    let valid = match std::str::from_utf8(head) {
        Ok(_) => true,
        // A multi-byte character cut by the sniff window is still text.
        Err(e) => e.error_len().is_none() && head.len() - e.valid_up_to() < 4,
    };
    valid
        && !head.is_empty()
        && head
            .iter()
            .all(|&b| b >= 0x20 || matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
}

/// The type of a file from its first bytes (up to `SNIFF_BYTES`), or `None` if it is not
/// an accepted type. `label` (the client's file name) only decides between plain text and
/// CSV, which the bytes cannot tell apart.
pub fn sniff(head: &[u8], label: &str) -> Option<EvidenceType> {
    if head.starts_with(b"%PDF-") {
        return Some(EvidenceType::Pdf);
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(EvidenceType::Png);
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(EvidenceType::Jpeg);
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Some(EvidenceType::LegacyOffice);
    }
    if head.starts_with(b"PK\x03\x04") {
        // An OOXML package names its parts in the local file headers near the start.
        if !contains(head, b"[Content_Types].xml") {
            return None;
        }
        return if contains(head, b"word/") {
            Some(EvidenceType::Docx)
        } else if contains(head, b"xl/") {
            Some(EvidenceType::Xlsx)
        } else if contains(head, b"ppt/") {
            Some(EvidenceType::Pptx)
        } else {
            None
        };
    }
    // Formats we do not accept whose signatures happen to be printable.
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        return None;
    }
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    if looks_like_text(head) {
        let is_csv = label.to_ascii_lowercase().ends_with(".csv");
        return Some(if is_csv {
            EvidenceType::Csv
        } else {
            EvidenceType::Text
        });
    }
    None
}

/// A file name fit to show as a label and to offer in `Content-Disposition`: no path, no
/// control characters, at most 200 characters. It is never used as a path on disk.
pub fn clean_label(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':'))
        .take(200)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_owned();
    if cleaned.is_empty() {
        "evidence".to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_types_by_their_bytes() {
        assert_eq!(
            sniff(b"%PDF-1.7\n%\xe2\xe3", "x.txt"),
            Some(EvidenceType::Pdf),
            "the name does not matter"
        );
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "a.pdf"),
            Some(EvidenceType::Png)
        );
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], "a"),
            Some(EvidenceType::Jpeg)
        );
        assert_eq!(
            sniff(
                &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0],
                "report.doc"
            ),
            Some(EvidenceType::LegacyOffice)
        );
        let docx = b"PK\x03\x04\x14\0\0\0\x08\0[Content_Types].xml....PK\x03\x04word/document.xml";
        assert_eq!(sniff(docx, "a.docx"), Some(EvidenceType::Docx));
        let xlsx = b"PK\x03\x04\x14\0[Content_Types].xml..PK\x03\x04xl/workbook.xml";
        assert_eq!(sniff(xlsx, "a.xlsx"), Some(EvidenceType::Xlsx));
    }

    #[test]
    fn text_and_csv() {
        assert_eq!(
            sniff("质量手册 第3版\n".as_bytes(), "manual.txt"),
            Some(EvidenceType::Text)
        );
        assert_eq!(
            sniff(b"year,students\n2006,4200\n", "figures.CSV"),
            Some(EvidenceType::Csv)
        );
        assert_eq!(
            sniff(b"\xEF\xBB\xBFyear,students\n", "f.csv"),
            Some(EvidenceType::Csv)
        );
        // A character cut at the end of the sniff window.
        let mut cut = "质量".as_bytes().to_vec();
        cut.pop();
        assert_eq!(sniff(&cut, "a.txt"), Some(EvidenceType::Text));
    }

    #[test]
    fn everything_else_is_refused() {
        assert_eq!(
            sniff(b"MZ\x90\0\x03", "report.pdf"),
            None,
            "an executable named .pdf"
        );
        assert_eq!(sniff(b"\x7fELF\x02\x01", "a.txt"), None);
        assert_eq!(
            sniff(b"PK\x03\x04\x14\0plain.zip entries", "a.docx"),
            None,
            "a zip that is no Office file"
        );
        assert_eq!(sniff(b"GIF89a", "a.png"), None);
        assert_eq!(sniff(b"text with a \0 byte", "a.txt"), None);
        assert_eq!(sniff(b"", "empty.txt"), None);
        assert_eq!(sniff(b"\xff\xfe\x00\x00garbage", "a.txt"), None);
    }

    #[test]
    fn labels_never_carry_paths() {
        assert_eq!(clean_label("../../etc/passwd"), "passwd");
        assert_eq!(clean_label("C:\\Users\\lin\\审核报告.pdf"), "审核报告.pdf");
        assert_eq!(clean_label("..."), "evidence");
        assert_eq!(clean_label("a\u{0}b\r\n\"c\".pdf"), "abc.pdf");
        assert_eq!(clean_label(".hidden"), "hidden");
        assert_eq!(clean_label(&"x".repeat(300)).len(), 200);
    }
}
