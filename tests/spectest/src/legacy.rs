//! The legacy exception-handling tests use the folded form `(try bt (do A) (catch $t B)
//! (catch_all C))` / `(try bt (do A) (delegate L))`, which the `wast` parser no longer reads
//! (it reads the flat `try bt A catch $t B end`). This rewrites the folded forms before
//! parsing into the flat form, blanking parentheses in place so every line keeps its number:
//! `try bt A catch $t B catch_all C end`, and `try bt A delegate L` (a `delegate` ends the
//! block by itself).

/// Rewrites every folded legacy `try` in `source`; everything else stays byte for byte.
pub fn unfold_legacy_try(source: &str) -> String {
    if !source.contains("(do") {
        return source.to_string();
    }
    let bytes = source.as_bytes();
    let mut blank = vec![false; bytes.len()];
    let lists = parse_lists(bytes);
    let mut ends = std::collections::BTreeSet::new();
    for list in &lists {
        if list.head.as_deref() != Some("try") {
            continue;
        }
        let clauses: Vec<&List> = list
            .children
            .iter()
            .map(|&i| &lists[i])
            .filter(|c| {
                matches!(
                    c.head.as_deref(),
                    Some("do" | "catch" | "catch_all" | "delegate")
                )
            })
            .collect();
        if !clauses.iter().any(|c| c.head.as_deref() == Some("do")) {
            continue;
        }
        for clause in &clauses {
            blank[clause.open] = true;
            if let Some(close) = clause.close {
                blank[close] = true;
            }
            if clause.head.as_deref() == Some("do") {
                blank[clause.head_span.0..clause.head_span.1].fill(true);
            }
        }
        // The flat form: `try bt A catch $t B end`, or `try bt A delegate L`.
        blank[list.open] = true;
        if let Some(close) = list.close {
            let delegate = clauses
                .iter()
                .any(|c| c.head.as_deref() == Some("delegate"));
            if !delegate {
                ends.insert(close);
            }
            blank[close] = true;
        }
    }
    let mut out = Vec::with_capacity(source.len() + 4 * ends.len());
    for (i, (&b, &gone)) in bytes.iter().zip(&blank).enumerate() {
        if ends.contains(&i) {
            out.extend_from_slice(b" end ");
        } else if gone {
            out.push(b' ');
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).expect("only ASCII parentheses and keywords were replaced")
}

/// A parenthesized list: where its parens are, its first atom, and its child lists.
struct List {
    open: usize,
    close: Option<usize>,
    head: Option<String>,
    head_span: (usize, usize),
    children: Vec<usize>,
}

/// Every list in `bytes`, skipping strings and comments (`;;` lines, nested `(; ;)` blocks).
fn parse_lists(bytes: &[u8]) -> Vec<List> {
    let mut lists: Vec<List> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b';' if bytes.get(i + 1) == Some(&b';') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'(' if bytes.get(i + 1) == Some(&b';') => i = skip_block_comment(bytes, i),
            b'"' => i = skip_string(bytes, i),
            b'(' => {
                let index = lists.len();
                if let Some(&parent) = open.last() {
                    lists[parent].children.push(index);
                }
                let start = i + 1;
                let mut end = start;
                while end < bytes.len() && !b" \t\r\n()\";".contains(&bytes[end]) {
                    end += 1;
                }
                let head =
                    (end > start).then(|| String::from_utf8_lossy(&bytes[start..end]).into());
                lists.push(List {
                    open: i,
                    close: None,
                    head,
                    head_span: (start, end),
                    children: vec![],
                });
                open.push(index);
            }
            b')' => {
                if let Some(index) = open.pop() {
                    lists[index].close = Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    lists
}

/// The index of the last byte of the block comment opening at `start`.
fn skip_block_comment(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0;
    let mut i = start;
    while i + 1 < bytes.len() {
        if bytes[i] == b'(' && bytes[i + 1] == b';' {
            depth += 1;
            i += 2;
        } else if bytes[i] == b';' && bytes[i + 1] == b')' {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i - 1;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// The index of the closing quote of the string opening at `start`.
fn skip_string(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() && bytes[i] != b'"' {
        i += if bytes[i] == b'\\' { 2 } else { 1 };
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_try_catch_becomes_flat_with_end() {
        let out =
            unfold_legacy_try("(try (result i32) (do (i32.const 1)) (catch $e (i32.const 2)))");
        assert_eq!(
            out,
            " try (result i32)     (i32.const 1)   catch $e (i32.const 2)  end "
        );
    }

    #[test]
    fn delegate_removes_the_try_parens_and_keeps_lines_strings_and_comments() {
        let src = "(func (export \"(do\")\n  (try $l (do (nop)) (delegate 0)) ;; (do\n (nop))";
        let out = unfold_legacy_try(src);
        assert_eq!(
            out,
            "(func (export \"(do\")\n   try $l     (nop)   delegate 0   ;; (do\n (nop))"
        );
        assert_eq!(out.lines().count(), src.lines().count());
    }

    #[test]
    fn text_without_legacy_try_is_unchanged() {
        let src = "(module (func (try_table (do)))) ;; keep\n";
        assert_eq!(unfold_legacy_try(src), src);
    }
}
