use signbridge::blocking::Client;
use signbridge::providers::zignsec::{CreateSigning, Placement};
use signbridge::{Config, WaitOptions};

// SIGNBRIDGE_ZIGNSEC_KEY and SIGNBRIDGE_ZIGNSEC_URL (e.g. the simulator's URL) configure it.
fn sign(pdf: &str) -> signbridge::Result<()> {
    let client = Client::new(Config::from_env()?)?;
    let signing = client.zignsec_signing()?;
    let placement = Some(Placement {
        page: 1,
        x: 60.0,
        y: 80.0,
    });
    let doc = signbridge::blocking::document_from_path(pdf, placement)?;
    let started = signing.sign_documents(&CreateSigning::default(), &[doc])?;
    println!("send the signer to {}", started.redirect_url);
    let done = signing.wait(&started.id, &WaitOptions::default())?;
    for path in signing.save_signed_files(&done, "signed")? {
        println!("signed: {}", path.display());
    }
    Ok(())
}
