//! Relay-only ICE: classify candidates by type (RFC 8839 §5.1 grammar) and keep only `relay`
//! ones, so neither side learns the other's IP address.
//!
//! A host candidate is a device's own address, a server- or peer-reflexive one its public
//! address; only a relay candidate (an address on a TURN server) is safe to show the peer.
//! Outgoing, [`outgoing`] keeps relay candidates and blanks their related address (`raddr`,
//! `rport`: for a relay candidate, the device's public address as the TURN server saw it);
//! incoming, [`incoming`] refuses anything but relay candidates. [`filter_sdp`] does the same
//! to the `a=candidate` lines of an SDP body and leaves every other line untouched.

use crate::error::{Error, Result};
use crate::signal::IceCandidate;

/// An ICE candidate's type (`typ`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CandidateType {
    /// `host`: an address of the device itself.
    Host,
    /// `srflx`: the device's public address as a STUN server saw it.
    Srflx,
    /// `prflx`: an address learned from connectivity checks.
    Prflx,
    /// `relay`: an address allocated on a TURN server.
    Relay,
}

/// Which way a candidate or SDP travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Way {
    /// Ours, about to be sent: relay only, related address blanked.
    Outgoing,
    /// The peer's, just received: relay only.
    Incoming,
}

/// A candidate attribute parsed into its fields: `candidate:FOUNDATION COMPONENT TRANSPORT
/// PRIORITY ADDRESS PORT typ TYPE [NAME VALUE]…` (with or without a leading `a=`).
struct Parsed<'a> {
    /// Everything up to and including the port, as written.
    head: Vec<&'a str>,
    kind: CandidateType,
    /// Extension attributes (`raddr`, `rport`, `generation`, `ufrag`…) as name/value pairs.
    ext: Vec<(&'a str, &'a str)>,
}

fn bad(why: &'static str) -> Error {
    Error::BadCandidate(why)
}

fn parse(line: &str) -> Result<Parsed<'_>> {
    let line = line.strip_prefix("a=").unwrap_or(line);
    let rest = line
        .strip_prefix("candidate:")
        .ok_or(bad("no candidate: prefix"))?;
    let tokens: Vec<&str> = rest.split_ascii_whitespace().collect();
    if tokens.len() < 8 || !tokens.len().is_multiple_of(2) {
        return Err(bad("wrong number of fields"));
    }
    check_head(&tokens[..6])?;
    if tokens[6] != "typ" {
        return Err(bad("no typ"));
    }
    let kind = match tokens[7] {
        "host" => CandidateType::Host,
        "srflx" => CandidateType::Srflx,
        "prflx" => CandidateType::Prflx,
        "relay" => CandidateType::Relay,
        _ => return Err(bad("unknown candidate type")),
    };
    let ext = tokens[8..].chunks_exact(2).map(|p| (p[0], p[1])).collect();
    Ok(Parsed {
        head: tokens[..6].to_vec(),
        kind,
        ext,
    })
}

/// Foundation, component, transport, priority, address, port.
fn check_head(t: &[&str]) -> Result<()> {
    let ice_char = |c: char| c.is_ascii_alphanumeric() || c == '+' || c == '/';
    if t[0].is_empty() || t[0].len() > 32 || !t[0].chars().all(ice_char) {
        return Err(bad("bad foundation"));
    }
    match t[1].parse::<u16>() {
        Ok(1..=256) if t[1].bytes().all(|b| b.is_ascii_digit()) => {}
        _ => return Err(bad("bad component")),
    }
    if t[2].is_empty() || t[2].len() > 16 || !t[2].chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(bad("bad transport"));
    }
    if !t[3].bytes().all(|b| b.is_ascii_digit()) || t[3].parse::<u32>().is_err() {
        return Err(bad("bad priority"));
    }
    if t[4].len() > 255 || !t[4].chars().all(|c| c.is_ascii_graphic()) {
        return Err(bad("bad address"));
    }
    if !t[5].bytes().all(|b| b.is_ascii_digit()) || t[5].parse::<u16>().is_err() {
        return Err(bad("bad port"));
    }
    Ok(())
}

/// The type of a candidate attribute (`candidate:…` or `a=candidate:…`).
pub fn candidate_type(line: &str) -> Result<CandidateType> {
    parse(line).map(|p| p.kind)
}

/// The candidate rewritten for sending: `raddr` → `0.0.0.0`, `rport` → `0`, everything else
/// as it was, tokens joined by single spaces. `None` unless it parses and is a relay candidate.
fn sanitized(line: &str) -> Option<String> {
    let p = parse(line).ok()?;
    if p.kind != CandidateType::Relay {
        return None;
    }
    let prefix = if line.starts_with("a=") { "a=" } else { "" };
    let mut out = format!("{prefix}candidate:{} typ relay", p.head.join(" "));
    for (name, value) in p.ext {
        let value = match name {
            "raddr" => "0.0.0.0",
            "rport" => "0",
            _ => value,
        };
        out.push(' ');
        out.push_str(name);
        out.push(' ');
        out.push_str(value);
    }
    Some(out)
}

/// Whether a received candidate may be used: it parses and is a relay candidate.
pub fn is_relay(line: &str) -> bool {
    candidate_type(line) == Ok(CandidateType::Relay)
}

/// Ours for sending: `None` unless a relay candidate; its related address blanked.
pub fn outgoing(c: &IceCandidate) -> Option<IceCandidate> {
    Some(IceCandidate {
        candidate: sanitized(&c.candidate)?,
        sdp_m_line_index: c.sdp_m_line_index,
        sdp_mid: c.sdp_mid.clone(),
    })
}

/// The peer's: `Some` (unchanged) only for a relay candidate.
pub fn incoming(c: &IceCandidate) -> Option<IceCandidate> {
    is_relay(&c.candidate).then(|| c.clone())
}

/// Applies [`outgoing`] or [`incoming`] to a batch, keeping the relay candidates in order.
pub fn filter(cands: &[IceCandidate], way: Way) -> Vec<IceCandidate> {
    let f = match way {
        Way::Outgoing => outgoing,
        Way::Incoming => incoming,
    };
    cands.iter().filter_map(f).collect()
}

/// The SDP with every `a=candidate:` line that is not a relay candidate removed (and, going
/// out, relay lines sanitized as [`outgoing`]). Other lines, and every line ending (`\r\n` or
/// `\n`), are kept as they were.
pub fn filter_sdp(sdp: &str, way: Way) -> String {
    let mut out = String::with_capacity(sdp.len());
    for piece in sdp.split_inclusive('\n') {
        let body = piece.trim_end_matches(['\r', '\n']);
        let ending = &piece[body.len()..];
        if !body.starts_with("a=candidate:") {
            out.push_str(piece);
            continue;
        }
        let kept = match way {
            Way::Outgoing => sanitized(body),
            Way::Incoming => is_relay(body).then(|| body.to_owned()),
        };
        if let Some(line) = kept {
            out.push_str(&line);
            out.push_str(ending);
        }
    }
    out
}

/// Whether an SDP holds only relay candidate lines (the invariant [`filter_sdp`] establishes).
pub fn sdp_is_relay_only(sdp: &str) -> bool {
    sdp.lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| l.starts_with("a=candidate:"))
        .all(is_relay)
}
