//! The full-disk fault: a node moved onto a small tmpfs of its own, which is then filled up,
//! held full under load, emptied, and the node moved back. Needs the right to mount (root,
//! as on this project's machines and CI); without it the fault is skipped and says so.

use super::command as run;
use session_devnet::Devnet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Room left on the tmpfs above the node's data when it moves there.
const HEADROOM: u64 = 16 << 20;

fn used_bytes(dir: &Path) -> anyhow::Result<u64> {
    let out = Command::new("du").arg("-sb").arg(dir).output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0))
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    let src = format!("{}/.", from.display());
    run("cp", &["-a", &src, &to.display().to_string()])
}

/// Writes zeros into `path` until the disk is full; returns the bytes written.
fn fill(path: &Path) -> u64 {
    let Ok(mut f) = std::fs::File::create(path) else {
        return 0;
    };
    let chunk = vec![0u8; 64 << 10];
    let mut written = 0u64;
    while f.write_all(&chunk).is_ok() {
        written += chunk.len() as u64;
    }
    let _ = f.sync_all();
    written
}

/// Runs node `i` on a full disk for `hold`, then back on its own. Returns what happened, or
/// `Ok(None)` when this machine does not allow mounting.
pub async fn full_disk(
    devnet: &mut Devnet,
    i: usize,
    hold: Duration,
) -> anyhow::Result<Option<String>> {
    let home: PathBuf = devnet.nodes[i].data_dir.clone();
    let mnt = home.with_extension("tmpfs");
    std::fs::create_dir_all(&mnt)?;
    let size = used_bytes(&home)? + HEADROOM;
    if run(
        "mount",
        &[
            "-t",
            "tmpfs",
            "-o",
            &format!("size={size}"),
            "tmpfs",
            &mnt.display().to_string(),
        ],
    )
    .is_err()
    {
        let _ = std::fs::remove_dir(&mnt);
        return Ok(None);
    }
    devnet.kill_node(i);
    let moved = copy_dir(&home, &mnt).and_then(|()| {
        devnet.nodes[i].data_dir.clone_from(&mnt);
        devnet.restart_node(i)
    });
    let result = match moved {
        Ok(()) => {
            tokio::time::sleep(Duration::from_secs(2)).await;
            let filled = fill(&mnt.join("filler"));
            tokio::time::sleep(hold).await;
            let full = session_devnet::is_running(devnet.nodes[i].pid);
            let _ = std::fs::remove_file(mnt.join("filler"));
            tokio::time::sleep(Duration::from_secs(2)).await;
            let emptied = session_devnet::is_running(devnet.nodes[i].pid);
            Ok(format!(
                "{filled} filler bytes on a {size}-byte tmpfs; running while full: {full}, \
                 after emptying: {emptied}"
            ))
        }
        Err(e) => Err(e),
    };
    // Back home: stop it, copy its data back, start it there, unmount.
    devnet.kill_node(i);
    let old = home.with_extension("before-disk");
    let back = std::fs::rename(&home, &old)
        .map_err(anyhow::Error::from)
        .and_then(|()| Ok(std::fs::create_dir_all(&home)?))
        .and_then(|()| copy_dir(&mnt, &home))
        .and_then(|()| Ok(std::fs::remove_dir_all(&old)?));
    devnet.nodes[i].data_dir.clone_from(&home);
    let _ = run("umount", &["-l", &mnt.display().to_string()]);
    let _ = std::fs::remove_dir(&mnt);
    back?;
    devnet.restart_node(i)?;
    result.map(Some)
}
