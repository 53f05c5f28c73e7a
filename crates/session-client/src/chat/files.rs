//! Files in conversations: sending attachments (read, encrypt deterministically, upload, then
//! the text with its pointers), downloading what came (verify, decrypt, save under
//! `<home>/attachments/`; a failure is recorded and [`Chat::fetch_attachments`] tries again),
//! our profile picture (set, remove, keep its upload alive) and others' (fetch and cache).
//!
//! Every transfer is one onion request, so progress is reported per step ([`Progress`]).

use super::{Chat, local};
use crate::attachments::{self, Outgoing, Pointer};
use crate::avatars;
use crate::error::{Error, Result};
use crate::fileserver::{self, FileRef, FileServer};
use crate::history::{ContactState, StoredAttachment};
use session_config::user::ProfilePic;
use session_crypto::SessionId;
use session_crypto::attachment::Domain;
use std::path::{Path, PathBuf};

/// A step of a transfer, for progress displays.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Encrypting a file of `bytes`.
    Encrypting {
        /// File name.
        name: String,
        /// Plaintext bytes.
        bytes: u64,
    },
    /// Uploading `bytes` (encrypted).
    Uploading {
        /// File name.
        name: String,
        /// Blob bytes.
        bytes: u64,
    },
    /// Downloading a file of about `bytes`.
    Downloading {
        /// File name.
        name: String,
        /// Plaintext bytes the sender gave.
        bytes: u64,
    },
    /// A file is done (uploaded, or downloaded and saved).
    Done {
        /// File name.
        name: String,
    },
}

/// Where progress goes (a no-op is `&|_| {}`).
pub type ProgressFn<'a> = &'a (dyn Fn(Progress) + Send + Sync);

fn name_of(p: &Pointer) -> String {
    p.file_name.clone().unwrap_or_else(|| "file".to_owned())
}

impl Chat {
    fn file_server(&self) -> Result<&FileServer> {
        self.file_server.as_ref().ok_or(Error::NoFileServer)
    }

    fn home(&self) -> Result<&Path> {
        self.home
            .as_deref()
            .ok_or_else(|| Error::Local("no home directory to save files in".into()))
    }

    /// Reads, encrypts (deterministic scheme) and uploads one file; its pointer.
    async fn upload_file(&self, file: &Outgoing, progress: ProgressFn<'_>) -> Result<Pointer> {
        let server = self.file_server()?;
        let name = file.file_name.clone();
        progress(Progress::Encrypting {
            name: name.clone(),
            bytes: file.data.len() as u64,
        });
        let seed = self.messenger.account().keys().seed();
        let (blob, key) = file.encrypt(seed, Domain::Attachment)?;
        progress(Progress::Uploading {
            name: name.clone(),
            bytes: blob.len() as u64,
        });
        let onion = self.messenger.onion();
        let up = fileserver::upload(onion, server, &blob, None).await?;
        progress(Progress::Done { name: name.clone() });
        Ok(Pointer {
            url: server.file_url(&up.id, true),
            key: key.expose_secret().to_vec(),
            size: file.data.len() as u64,
            digest: None,
            content_type: Some(file.content_type.clone()),
            file_name: Some(name),
        })
    }

    /// Sends `text` (may be empty) with the files at `paths` as attachments: every file is
    /// read and checked first (at most 10,000,000 bytes), then encrypted and uploaded, then
    /// the message goes. Returns the message's hash.
    pub async fn send_with_attachments(
        &self,
        to: &SessionId,
        text: &str,
        paths: &[PathBuf],
        quote: Option<&str>,
        ttl_ms: Option<u64>,
        progress: ProgressFn<'_>,
    ) -> Result<String> {
        self.file_server()?;
        if self.contact_state(&to.to_string())? == Some(ContactState::Blocked) {
            return Err(Error::Blocked(to.to_string()));
        }
        let files = paths
            .iter()
            .map(|p| Outgoing::read(p))
            .collect::<Result<Vec<_>>>()?;
        let mut sent = Vec::with_capacity(files.len());
        for (file, path) in files.iter().zip(paths) {
            let pointer = self.upload_file(file, progress).await?;
            let shown = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
            sent.push((pointer, shown.display().to_string()));
        }
        self.send_text_with(to, text, quote, ttl_ms, &sent).await
    }

    /// Downloads, verifies and decrypts one attachment into `<home>/attachments/`; records
    /// the outcome. The file server is the one the URL names (ours, or one its `p` names).
    async fn download_one(&self, a: &StoredAttachment, progress: ProgressFn<'_>) -> Result<String> {
        let name = name_of(&a.pointer);
        progress(Progress::Downloading {
            name: name.clone(),
            bytes: a.pointer.size,
        });
        let path = attachments::local_path(
            self.home()?,
            &a.message_hash,
            a.index,
            a.pointer.file_name.as_deref(),
        );
        let got = async {
            let url = FileRef::parse(&a.pointer.url)?;
            let server = self.file_server()?.for_url(&url)?;
            let blob = fileserver::download(self.messenger.onion(), &server, &url.id).await?;
            let plain = a.pointer.decrypt(&blob)?;
            attachments::save(&path, &plain)
        }
        .await;
        match got {
            Ok(()) => {
                let shown = path.display().to_string();
                self.history
                    .attachment_saved(&a.message_hash, a.index, &shown)
                    .map_err(local)?;
                progress(Progress::Done { name });
                Ok(shown)
            }
            Err(e) => {
                tracing::warn!(error = %e, "an attachment download failed");
                self.history
                    .attachment_failed(&a.message_hash, a.index, &e.to_string())
                    .map_err(local)?;
                Err(e)
            }
        }
    }

    /// Downloads the attachments of message `hash` that are not here yet (pending or
    /// failed before); returns them all as they stand afterwards. An error when the message
    /// has no attachments or one of them failed again (the others are kept).
    pub async fn fetch_attachments(
        &self,
        hash: &str,
        progress: ProgressFn<'_>,
    ) -> Result<Vec<StoredAttachment>> {
        let all = self.history.attachments_of(hash).map_err(local)?;
        if all.is_empty() {
            return Err(Error::Local(format!("no attachments for message {hash}")));
        }
        let mut failure = None;
        for a in all
            .iter()
            .filter(|a| a.state != crate::history::FileState::Downloaded)
        {
            if let Err(e) = self.download_one(a, progress).await {
                failure = Some(e);
            }
        }
        match failure {
            Some(e) => Err(e),
            None => self.history.attachments_of(hash).map_err(local),
        }
    }

    /// Downloads every attachment a poll brought (each is tried once here; a failure is
    /// recorded for [`Self::fetch_attachments`]); returns how many were saved and how many
    /// failed.
    pub async fn download_pending(&self, progress: ProgressFn<'_>) -> Result<(usize, usize)> {
        let pending = self.history.pending_attachments().map_err(local)?;
        let (mut saved, mut failed) = (0, 0);
        for a in &pending {
            match self.download_one(a, progress).await {
                Ok(_) => saved += 1,
                Err(_) => failed += 1,
            }
        }
        Ok((saved, failed))
    }

    /// Sets our profile picture to the file at `path`: encrypted (profile-picture domain),
    /// uploaded, kept in `<home>/avatars/`, recorded in the `UserProfile` config (pushed) and
    /// sent with our messages from now on. Returns its URL.
    pub async fn set_profile_picture(
        &self,
        path: &Path,
        progress: ProgressFn<'_>,
    ) -> Result<String> {
        let server = self.file_server()?;
        let file = Outgoing::read(path)?;
        progress(Progress::Encrypting {
            name: file.file_name.clone(),
            bytes: file.data.len() as u64,
        });
        let seed = self.messenger.account().keys().seed();
        let (blob, key) = file.encrypt(seed, Domain::ProfilePicture)?;
        progress(Progress::Uploading {
            name: file.file_name.clone(),
            bytes: blob.len() as u64,
        });
        let up = fileserver::upload(self.messenger.onion(), server, &blob, None).await?;
        let me = self.messenger.account().session_id().to_string();
        attachments::save(&avatars::local_path(self.home()?, &me), &file.data)?;
        let pic = ProfilePic {
            url: server.file_url(&up.id, true),
            key: *key.expose_secret(),
        };
        let now = self.messenger.now_ms();
        self.history
            .set_profile_pic(Some(&pic), now)
            .map_err(local)?;
        progress(Progress::Done {
            name: file.file_name,
        });
        self.sync_configs().await;
        Ok(pic.url)
    }

    /// Removes our profile picture (config pushed; our messages stop carrying it).
    pub async fn remove_profile_picture(&self) -> Result<()> {
        let now = self.messenger.now_ms();
        self.history.set_profile_pic(None, now).map_err(local)?;
        if let Ok(home) = self.home() {
            let me = self.messenger.account().session_id().to_string();
            let _ = std::fs::remove_file(avatars::local_path(home, &me));
        }
        self.sync_configs().await;
        Ok(())
    }

    /// Keeps our picture's upload alive: when it was last renewed more than
    /// [`avatars::RENEW_AFTER_MS`] ago, extends its expiry; when the server lost it, uploads
    /// the local copy again (same blob, same URL). Returns whether it renewed.
    pub async fn renew_profile_picture(&self) -> Result<bool> {
        let now = self.messenger.now_ms();
        let Some(renewed) = self.history.picture_renewed_ms().map_err(local)? else {
            return Ok(false);
        };
        let Some(url) = self.history.profile().map_err(local)?.picture_url else {
            return Ok(false);
        };
        if now.saturating_sub(renewed) < avatars::RENEW_AFTER_MS {
            return Ok(false);
        }
        let file = FileRef::parse(&url)?;
        let server = self.file_server()?.for_url(&file)?;
        let onion = self.messenger.onion();
        match fileserver::extend(onion, &server, &file.id, None).await {
            Ok(_) => {}
            Err(Error::FileServer { status: 404, .. }) => {
                let me = self.messenger.account().session_id().to_string();
                let copy = Outgoing::read(&avatars::local_path(self.home()?, &me))?;
                let seed = self.messenger.account().keys().seed();
                let (blob, _) = copy.encrypt(seed, Domain::ProfilePicture)?;
                fileserver::upload(onion, &server, &blob, None).await?;
            }
            Err(e) => return Err(e),
        }
        self.history.set_picture_renewed(now).map_err(local)?;
        Ok(true)
    }

    /// Fetches the profile pictures contacts sent that are not cached yet; returns how many
    /// were saved (a failure is logged and not retried until the contact sends another).
    pub async fn fetch_avatars(&self) -> Result<usize> {
        let mut saved = 0;
        for a in self.history.pending_avatars().map_err(local)? {
            let path = avatars::local_path(self.home()?, &a.peer);
            let got = async {
                let url = FileRef::parse(&a.url)?;
                let server = self.file_server()?.for_url(&url)?;
                let blob = fileserver::download(self.messenger.onion(), &server, &url.id).await?;
                attachments::save(&path, &avatars::decrypt(&a.url, &a.key, &blob)?)
            }
            .await;
            match got {
                Ok(()) => {
                    let shown = path.display().to_string();
                    self.history
                        .avatar_saved(&a.peer, &a.url, &shown)
                        .map_err(local)?;
                    saved += 1;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "a profile picture could not be fetched");
                    self.history.avatar_failed(&a.peer, &a.url).map_err(local)?;
                }
            }
        }
        Ok(saved)
    }
}
