//! Raw terminal bytes from the SSH channel → crossterm [`Event`]s.
//!
//! Hand-written rather than termwiz's `InputParser`: termwiz would add 40 crates to the build
//! (pest, phf codegen, fancy-regex, terminfo, wezterm-*) and its own key types to translate, while
//! the parts that matter here — bounded pastes, the lone-ESC timer, nothing buffered unboundedly —
//! would still be ours. Covered: legacy/xterm keys with modifiers (CSI, SS3, `CSI 1;2R` F3),
//! kitty's `CSI u` (with press/repeat/release) and xterm's modifyOtherKeys.
//!
//! Over SSH there is no local tty for crossterm to read: the client's terminal sends bytes, and
//! one `data` packet may hold several keys, a whole paste, or half an escape sequence. The
//! decoder keeps the unfinished tail between packets. A lone `ESC` is ambiguous (the Esc key,
//! or the first byte of a sequence whose rest is still in flight), so it is held until the next
//! packet or until the session's short timer calls [`InputDecoder::flush_pending`].
//!
//! Everything is bounded: an escape sequence longer than [`MAX_SEQUENCE`] is dropped, and a
//! bracketed paste keeps at most [`MAX_PASTE`] bytes (the rest is swallowed up to the end
//! marker, so a long paste never turns into stray keystrokes such as `q`).

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

/// Longest escape sequence kept while waiting for its end; longer ones are garbage.
pub const MAX_SEQUENCE: usize = 64;
/// Most bytes of one bracketed paste handed to the tutor.
pub const MAX_PASTE: usize = 64 * 1024;

const PASTE_END: &[u8] = b"\x1b[201~";

/// Incremental decoder; one per session.
#[derive(Debug, Default)]
pub struct InputDecoder {
    /// Bytes received but not yet decoded (an unfinished sequence or UTF-8 character).
    buf: Vec<u8>,
    /// Inside a bracketed paste: the text so far.
    paste: Option<Vec<u8>>,
}

/// The result of decoding from the start of a buffer.
enum Step {
    /// `consumed` bytes made this event (or nothing, for sequences we ignore).
    Done(Option<Event>, usize),
    /// The start of a bracketed paste, `consumed` bytes long.
    PasteStart(usize),
    /// The bytes so far are a valid prefix; wait for more.
    Incomplete,
}

impl InputDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Decode one packet, appending complete events to `out`.
    pub fn feed(&mut self, bytes: &[u8], out: &mut Vec<Event>) {
        self.buf.extend_from_slice(bytes);
        self.decode(out, false);
    }

    /// True when an unfinished escape sequence (typically a lone `ESC`) is held; the session
    /// then arms a short timer and calls [`flush_pending`](Self::flush_pending) when it fires.
    pub fn has_pending(&self) -> bool {
        self.paste.is_none() && !self.buf.is_empty()
    }

    /// No more bytes came in time: decode what is held as if the input ended here, so a lone
    /// `ESC` becomes the Esc key. An unfinished paste is kept (pastes may be slow to arrive).
    pub fn flush_pending(&mut self, out: &mut Vec<Event>) {
        if self.paste.is_none() {
            self.decode(out, true);
        }
    }

    fn decode(&mut self, out: &mut Vec<Event>, at_end: bool) {
        let mut start = 0;
        loop {
            if let Some(paste) = self.paste.as_mut() {
                let rest = &self.buf[start..];
                if let Some(pos) = find(rest, PASTE_END) {
                    push_bounded(paste, &rest[..pos]);
                    let text = String::from_utf8_lossy(paste).into_owned();
                    self.paste = None;
                    out.push(Event::Paste(text));
                    start += pos + PASTE_END.len();
                    continue;
                }
                // Keep a tail that could be the start of the end marker.
                let keep = longest_suffix_prefix(rest, PASTE_END);
                push_bounded(paste, &rest[..rest.len() - keep]);
                start = self.buf.len() - keep;
                break;
            }
            let rest = &self.buf[start..];
            if rest.is_empty() {
                break;
            }
            match step(rest) {
                Step::Done(event, used) => {
                    out.extend(event);
                    start += used;
                }
                Step::PasteStart(used) => {
                    self.paste = Some(Vec::new());
                    start += used;
                }
                Step::Incomplete if at_end => {
                    if rest[0] == 0x1b {
                        // A lone ESC (or ESC + an unfinished sequence): the Esc key, then
                        // decode what followed it on its own.
                        out.push(key(KeyCode::Esc, KeyModifiers::NONE));
                        start += 1;
                    } else {
                        // An unfinished UTF-8 character that will never be finished.
                        out.push(key(
                            KeyCode::Char(char::REPLACEMENT_CHARACTER),
                            KeyModifiers::NONE,
                        ));
                        start = self.buf.len();
                    }
                }
                Step::Incomplete => {
                    if rest.len() > MAX_SEQUENCE {
                        // Not a sequence any terminal sends: drop it rather than grow.
                        start = self.buf.len();
                    }
                    break;
                }
            }
        }
        self.buf.drain(..start);
    }
}

fn push_bounded(paste: &mut Vec<u8>, bytes: &[u8]) {
    let room = MAX_PASTE.saturating_sub(paste.len());
    paste.extend_from_slice(&bytes[..bytes.len().min(room)]);
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Length of the longest suffix of `hay` that is a proper prefix of `needle`.
fn longest_suffix_prefix(hay: &[u8], needle: &[u8]) -> usize {
    (1..needle.len())
        .rev()
        .find(|&n| hay.len() >= n && hay[hay.len() - n..] == needle[..n])
        .unwrap_or(0)
}

fn key(code: KeyCode, modifiers: KeyModifiers) -> Event {
    Event::Key(KeyEvent::new(code, modifiers))
}

/// Decode one event from the start of `b` (non-empty).
fn step(b: &[u8]) -> Step {
    match b[0] {
        0x1b => escape(b),
        b'\r' | b'\n' => Step::Done(Some(key(KeyCode::Enter, KeyModifiers::NONE)), 1),
        b'\t' => Step::Done(Some(key(KeyCode::Tab, KeyModifiers::NONE)), 1),
        0x7f | 0x08 => Step::Done(Some(key(KeyCode::Backspace, KeyModifiers::NONE)), 1),
        0x00 => Step::Done(Some(key(KeyCode::Char(' '), KeyModifiers::CONTROL)), 1),
        // Ctrl-A..Ctrl-Z; Ctrl-C (0x03) is an ordinary key event here: no signal over SSH.
        c @ 0x01..=0x1a => Step::Done(
            Some(key(
                KeyCode::Char((c - 1 + b'a') as char),
                KeyModifiers::CONTROL,
            )),
            1,
        ),
        c @ 0x1c..=0x1f => Step::Done(
            Some(key(
                KeyCode::Char((c - 0x1c + b'4') as char),
                KeyModifiers::CONTROL,
            )),
            1,
        ),
        _ => match utf8_char(b) {
            Utf8::Char(c, n) => {
                let mods = if c.is_ascii_uppercase() {
                    KeyModifiers::SHIFT
                } else {
                    KeyModifiers::NONE
                };
                Step::Done(Some(key(KeyCode::Char(c), mods)), n)
            }
            Utf8::Incomplete => Step::Incomplete,
            Utf8::Invalid => Step::Done(None, 1),
        },
    }
}

enum Utf8 {
    Char(char, usize),
    Incomplete,
    Invalid,
}

fn utf8_char(b: &[u8]) -> Utf8 {
    let len = match b[0] {
        0x00..=0x7f => 1,
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return Utf8::Invalid,
    };
    if b.len() < len {
        // Only wait if what we have is a valid prefix.
        return if b[1..].iter().all(|&c| c & 0xc0 == 0x80) {
            Utf8::Incomplete
        } else {
            Utf8::Invalid
        };
    }
    match std::str::from_utf8(&b[..len])
        .ok()
        .and_then(|s| s.chars().next())
    {
        Some(c) => Utf8::Char(c, len),
        None => Utf8::Invalid,
    }
}

fn escape(b: &[u8]) -> Step {
    let Some(&second) = b.get(1) else {
        return Step::Incomplete;
    };
    match second {
        b'[' => csi(b),
        b'O' => match b.get(2) {
            None => Step::Incomplete,
            Some(&c) => {
                let code = match c {
                    b'A' => Some(KeyCode::Up),
                    b'B' => Some(KeyCode::Down),
                    b'C' => Some(KeyCode::Right),
                    b'D' => Some(KeyCode::Left),
                    b'H' => Some(KeyCode::Home),
                    b'F' => Some(KeyCode::End),
                    b'P'..=b'S' => Some(KeyCode::F(1 + c - b'P')),
                    _ => None,
                };
                Step::Done(code.map(|c| key(c, KeyModifiers::NONE)), 3)
            }
        },
        // ESC ESC: the first one is the Esc key; the second starts anew.
        0x1b => Step::Done(Some(key(KeyCode::Esc, KeyModifiers::NONE)), 1),
        // ESC + key: Alt+key, as terminals send it.
        _ => match step(&b[1..]) {
            Step::Done(Some(Event::Key(mut k)), n) => {
                k.modifiers |= KeyModifiers::ALT;
                Step::Done(Some(Event::Key(k)), n + 1)
            }
            Step::Done(other, n) => Step::Done(other, n + 1),
            Step::PasteStart(n) => Step::PasteStart(n + 1),
            Step::Incomplete => Step::Incomplete,
        },
    }
}

/// `ESC [ params intermediates final`.
fn csi(b: &[u8]) -> Step {
    let mut i = 2;
    while let Some(&c) = b.get(i) {
        if (0x20..=0x3f).contains(&c) {
            i += 1;
            continue;
        }
        if !(0x40..=0x7e).contains(&c) {
            // Not a well-formed sequence: drop what we saw and decode this byte afresh.
            return Step::Done(None, i);
        }
        let params = std::str::from_utf8(&b[2..i]).unwrap_or("");
        return match csi_event(params, c) {
            CsiResult::Event(e) => Step::Done(e, i + 1),
            CsiResult::PasteStart => Step::PasteStart(i + 1),
        };
    }
    Step::Incomplete
}

enum CsiResult {
    Event(Option<Event>),
    PasteStart,
}

fn csi_event(params: &str, fin: u8) -> CsiResult {
    // Sequences with a private marker (`<` mouse, `?` replies, `>` versions) are not keys.
    if params.starts_with(['<', '?', '>', '=']) {
        return CsiResult::Event(None);
    }
    // `a;b:c;d`: parameters, each with `:` sub-parameters (kitty keyboard protocol).
    let nums: Vec<Vec<Option<u32>>> = params
        .split(';')
        .map(|p| p.split(':').map(|n| n.parse::<u32>().ok()).collect())
        .collect();
    let param = |i: usize, sub: usize| nums.get(i).and_then(|p| p.get(sub).copied().flatten());
    let first = param(0, 0);
    let mods = modifiers(param(1, 0));
    // Kitty reports presses, repeats and releases (`mods:kind`); only the first two are keys.
    if param(1, 1) == Some(3) {
        return CsiResult::Event(None);
    }
    let code = match fin {
        b'A' => Some(KeyCode::Up),
        b'B' => Some(KeyCode::Down),
        b'C' => Some(KeyCode::Right),
        b'D' => Some(KeyCode::Left),
        b'H' => Some(KeyCode::Home),
        b'F' => Some(KeyCode::End),
        b'P' => Some(KeyCode::F(1)),
        b'Q' => Some(KeyCode::F(2)),
        // F3 as xterm sends it with modifiers (`CSI 1;2R`) and as kitty sends it bare. The
        // server never asks for a cursor position report, so `R` is not a reply here.
        b'R' => Some(KeyCode::F(3)),
        b'S' => Some(KeyCode::F(4)),
        b'Z' => {
            return CsiResult::Event(Some(key(KeyCode::BackTab, KeyModifiers::SHIFT)));
        }
        b'I' => return CsiResult::Event(Some(Event::FocusGained)),
        b'O' => return CsiResult::Event(Some(Event::FocusLost)),
        // Kitty: `CSI code[:shifted] ; mods[:kind] u`.
        b'u' => {
            return CsiResult::Event(first.and_then(|c| unicode_key(c, param(0, 1), mods)));
        }
        b'~' => match first {
            Some(200) => return CsiResult::PasteStart,
            // A stray paste end outside a paste: ignore.
            Some(201) => None,
            // xterm's modifyOtherKeys: `CSI 27 ; mods ; code ~`.
            Some(27) => {
                return CsiResult::Event(param(2, 0).and_then(|c| unicode_key(c, None, mods)));
            }
            Some(1 | 7) => Some(KeyCode::Home),
            Some(2) => Some(KeyCode::Insert),
            Some(3) => Some(KeyCode::Delete),
            Some(4 | 8) => Some(KeyCode::End),
            Some(5) => Some(KeyCode::PageUp),
            Some(6) => Some(KeyCode::PageDown),
            Some(n @ 11..=15) => Some(KeyCode::F((n - 10) as u8)),
            Some(n @ 17..=21) => Some(KeyCode::F((n - 11) as u8)),
            Some(n @ 23..=26) => Some(KeyCode::F((n - 12) as u8)),
            Some(n @ 28..=29) => Some(KeyCode::F((n - 13) as u8)),
            Some(n @ 31..=34) => Some(KeyCode::F((n - 14) as u8)),
            _ => None,
        },
        _ => None,
    };
    CsiResult::Event(code.map(|c| key(c, mods)))
}

/// A key named by its Unicode code point (kitty `CSI u`, xterm modifyOtherKeys), with the
/// shifted code point when the terminal sent it. Kitty's private-use codes (keypad, media,
/// lone modifier keys) are not keys the tutor uses: `None`.
fn unicode_key(code: u32, shifted: Option<u32>, mods: KeyModifiers) -> Option<Event> {
    let code = match code {
        9 => KeyCode::Tab,
        13 => KeyCode::Enter,
        27 => KeyCode::Esc,
        8 | 127 => KeyCode::Backspace,
        0xE000..=0xF8FF => return None,
        c => {
            let c = match shifted {
                Some(s) if mods.contains(KeyModifiers::SHIFT) => s,
                _ => c,
            };
            let c = char::from_u32(c).filter(|c| !c.is_control())?;
            // Shift+letter as the legacy encoding reports it: the capital, with SHIFT.
            let c = if mods.contains(KeyModifiers::SHIFT) {
                c.to_uppercase().next().unwrap_or(c)
            } else {
                c
            };
            KeyCode::Char(c)
        }
    };
    Some(key(code, mods))
}

/// xterm's and kitty's modifier parameter: 1 + bit mask (1 shift, 2 alt, 4 ctrl; kitty's
/// super, hyper, meta, caps and num lock bits are not keys the tutor uses).
fn modifiers(param: Option<u32>) -> KeyModifiers {
    let mask = param.unwrap_or(1).saturating_sub(1);
    let mut m = KeyModifiers::NONE;
    if mask & 1 != 0 {
        m |= KeyModifiers::SHIFT;
    }
    if mask & 2 != 0 {
        m |= KeyModifiers::ALT;
    }
    if mask & 4 != 0 {
        m |= KeyModifiers::CONTROL;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode) -> Event {
        key(code, KeyModifiers::NONE)
    }
    fn ch(c: char) -> Event {
        k(KeyCode::Char(c))
    }
    fn decode_all(packets: &[&[u8]]) -> Vec<Event> {
        let mut d = InputDecoder::new();
        let mut out = Vec::new();
        for p in packets {
            d.feed(p, &mut out);
        }
        out
    }

    #[test]
    fn several_keys_in_one_packet() {
        assert_eq!(
            decode_all(&[b"nn\x1b[Aq"]),
            vec![ch('n'), ch('n'), k(KeyCode::Up), ch('q')]
        );
    }

    #[test]
    fn arrows_csi_and_ss3_and_modifiers() {
        assert_eq!(
            decode_all(&[b"\x1b[A\x1b[B\x1b[C\x1b[D\x1bOA\x1b[1;5C\x1b[3~\x1b[5~"]),
            vec![
                k(KeyCode::Up),
                k(KeyCode::Down),
                k(KeyCode::Right),
                k(KeyCode::Left),
                k(KeyCode::Up),
                key(KeyCode::Right, KeyModifiers::CONTROL),
                k(KeyCode::Delete),
                k(KeyCode::PageUp),
            ]
        );
    }

    #[test]
    fn escape_sequence_split_across_packets() {
        for split in 1..b"\x1b[1;5C".len() {
            let (a, b) = b"\x1b[1;5C".split_at(split);
            assert_eq!(
                decode_all(&[a, b]),
                vec![key(KeyCode::Right, KeyModifiers::CONTROL)],
                "split at {split}"
            );
        }
        // Byte by byte, with keys around it.
        let seq: Vec<&[u8]> = b"x\x1b[Ay".chunks(1).collect();
        assert_eq!(decode_all(&seq), vec![ch('x'), k(KeyCode::Up), ch('y')]);
    }

    #[test]
    fn lone_escape_is_held_then_flushed_as_esc() {
        let mut d = InputDecoder::new();
        let mut out = Vec::new();
        d.feed(b"\x1b", &mut out);
        assert!(out.is_empty());
        assert!(d.has_pending());
        d.flush_pending(&mut out);
        assert_eq!(out, vec![k(KeyCode::Esc)]);
        assert!(!d.has_pending());
    }

    #[test]
    fn unfinished_csi_flushes_as_esc_then_text() {
        let mut d = InputDecoder::new();
        let mut out = Vec::new();
        d.feed(b"\x1b[", &mut out);
        d.flush_pending(&mut out);
        assert_eq!(out, vec![k(KeyCode::Esc), ch('[')]);
    }

    #[test]
    fn double_escape_and_alt_keys() {
        assert_eq!(
            decode_all(&[b"\x1b\x1bx\x1bb"]),
            vec![
                k(KeyCode::Esc),
                key(KeyCode::Char('x'), KeyModifiers::ALT),
                key(KeyCode::Char('b'), KeyModifiers::ALT)
            ]
        );
    }

    #[test]
    fn ctrl_c_is_a_key_event() {
        assert_eq!(
            decode_all(&[b"\x03"]),
            vec![key(KeyCode::Char('c'), KeyModifiers::CONTROL)]
        );
    }

    #[test]
    fn enter_backspace_tab_backtab() {
        assert_eq!(
            decode_all(&[b"\r\x7f\t\x1b[Z"]),
            vec![
                k(KeyCode::Enter),
                k(KeyCode::Backspace),
                k(KeyCode::Tab),
                key(KeyCode::BackTab, KeyModifiers::SHIFT)
            ]
        );
    }

    #[test]
    fn utf8_split_across_packets() {
        let theta = "θ".as_bytes();
        assert_eq!(decode_all(&[&theta[..1], &theta[1..]]), vec![ch('θ')]);
        assert_eq!(decode_all(&["∇x".as_bytes()]), vec![ch('∇'), ch('x')]);
    }

    #[test]
    fn invalid_utf8_is_skipped() {
        assert_eq!(decode_all(&[b"\xffa"]), vec![ch('a')]);
    }

    #[test]
    fn bracketed_paste_in_one_and_many_packets() {
        let expect = vec![ch('a'), Event::Paste("x^2 + 3*x*y\nq".into()), ch('b')];
        let whole = b"a\x1b[200~x^2 + 3*x*y\nq\x1b[201~b";
        assert_eq!(decode_all(&[whole]), expect);
        for split in 1..whole.len() {
            let (a, b) = whole.split_at(split);
            assert_eq!(decode_all(&[a, b]), expect, "split at {split}");
        }
    }

    #[test]
    fn paste_is_bounded_and_swallowed_to_its_end() {
        let mut d = InputDecoder::new();
        let mut out = Vec::new();
        d.feed(b"\x1b[200~", &mut out);
        let chunk = vec![b'q'; 10_000];
        for _ in 0..20 {
            d.feed(&chunk, &mut out);
        }
        assert!(out.is_empty(), "no stray keys from inside a paste");
        d.feed(b"\x1b[201~n", &mut out);
        assert_eq!(out.len(), 2);
        match &out[0] {
            Event::Paste(p) => assert_eq!(p.len(), MAX_PASTE),
            other => panic!("expected paste, got {other:?}"),
        }
        assert_eq!(out[1], ch('n'));
    }

    #[test]
    fn overlong_sequence_is_dropped_not_buffered() {
        let mut d = InputDecoder::new();
        let mut out = Vec::new();
        let mut junk = b"\x1b[".to_vec();
        junk.extend(std::iter::repeat_n(b'1', 10_000));
        d.feed(&junk, &mut out);
        assert!(d.buf.len() <= MAX_SEQUENCE + 1);
        d.feed(b"n", &mut out);
        assert_eq!(out, vec![ch('n')]);
    }

    #[test]
    fn ignores_mouse_and_replies_but_keeps_decoding() {
        assert_eq!(decode_all(&[b"\x1b[<0;10;5M\x1b[?1;2cz"]), vec![ch('z')]);
    }

    #[test]
    fn function_keys() {
        assert_eq!(
            decode_all(&[b"\x1bOP\x1b[15~\x1b[24~"]),
            vec![k(KeyCode::F(1)), k(KeyCode::F(5)), k(KeyCode::F(12))]
        );
    }

    #[test]
    fn f3_in_csi_r_form_with_and_without_modifiers() {
        assert_eq!(
            decode_all(&[b"\x1bOR\x1b[R\x1b[1;2R\x1b[13~"]),
            vec![
                k(KeyCode::F(3)),
                k(KeyCode::F(3)),
                key(KeyCode::F(3), KeyModifiers::SHIFT),
                k(KeyCode::F(3))
            ]
        );
    }

    #[test]
    fn kitty_csi_u_keys() {
        assert_eq!(
            decode_all(&[b"\x1b[110u\x1b[99;5u\x1b[13u\x1b[27u\x1b[127u\x1b[9;2u\x1b[952u"]),
            vec![
                ch('n'),
                key(KeyCode::Char('c'), KeyModifiers::CONTROL),
                k(KeyCode::Enter),
                k(KeyCode::Esc),
                k(KeyCode::Backspace),
                key(KeyCode::Tab, KeyModifiers::SHIFT),
                ch('θ'),
            ]
        );
        // Shift: the shifted code point when sent, else the capital.
        assert_eq!(
            decode_all(&[b"\x1b[97:65;2u\x1b[98;2u\x1b[50:64;2u"]),
            vec![
                key(KeyCode::Char('A'), KeyModifiers::SHIFT),
                key(KeyCode::Char('B'), KeyModifiers::SHIFT),
                key(KeyCode::Char('@'), KeyModifiers::SHIFT),
            ]
        );
    }

    #[test]
    fn kitty_releases_and_private_codes_are_not_keys() {
        // n pressed, repeated, released; a lone Shift key; a keypad key (private use).
        assert_eq!(
            decode_all(&[b"\x1b[110;1:1u\x1b[110;1:2u\x1b[110;1:3u\x1b[57441;2u\x1b[57400u"]),
            vec![ch('n'), ch('n')]
        );
        assert_eq!(decode_all(&[b"\x1b[3;1:3~\x1b[1;1:3A"]), vec![]);
    }

    #[test]
    fn kitty_ctrl_c_split_across_packets_is_still_ctrl_c() {
        let seq = b"\x1b[99;5u";
        for split in 1..seq.len() {
            let (a, b) = seq.split_at(split);
            assert_eq!(
                decode_all(&[a, b]),
                vec![key(KeyCode::Char('c'), KeyModifiers::CONTROL)],
                "split at {split}"
            );
        }
    }

    #[test]
    fn xterm_modify_other_keys() {
        assert_eq!(
            decode_all(&[b"\x1b[27;5;99~\x1b[27;2;13~"]),
            vec![
                key(KeyCode::Char('c'), KeyModifiers::CONTROL),
                key(KeyCode::Enter, KeyModifiers::SHIFT),
            ]
        );
    }
}
