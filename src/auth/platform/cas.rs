//! CAS (统一身份认证): the browser goes to `{url}/login?service=…`, comes back with a
//! ticket, and the ticket is validated once at `{url}/p3/serviceValidate` (the CAS 3
//! answer, read with `quick-xml`). The CAS server's single logout names the ticket.

use quick_xml::Reader;
use quick_xml::events::Event;

use super::{Outbound, Vouched};
use crate::config::CasSettings;
use crate::domain::sign_in::SignInMethod;

/// Where to send the browser.
pub fn login_url(settings: &CasSettings, service: &str) -> String {
    format!(
        "{}/login?service={}",
        settings.url,
        crate::templates::percent_encode(service)
    )
}

/// Validates the ticket for `service` (the same address the browser was sent with).
pub async fn validate(
    http: &Outbound,
    settings: &CasSettings,
    service: &str,
    ticket: &str,
) -> Result<Vouched, String> {
    let url = format!(
        "{}/p3/serviceValidate?service={}&ticket={}",
        settings.url,
        crate::templates::percent_encode(service),
        crate::templates::percent_encode(ticket)
    );
    let (status, body) = http
        .get_text(&url)
        .await
        .map_err(|e| format!("validation: {e}"))?;
    if status != 200 {
        return Err(format!("validation answered {status}"));
    }
    let answer = parse_validation(&body)?;
    Ok(Vouched {
        method: SignInMethod::Cas,
        external_id: answer.user,
        email: answer.mail,
        ticket: Some(ticket.to_owned()),
    })
}

/// What a successful validation says.
#[derive(Debug, PartialEq, Eq)]
pub struct Validated {
    pub user: String,
    pub mail: Option<String>,
}

/// Reads `cas:serviceResponse`: the user and the `mail` attribute of a success, or why
/// it failed.
pub fn parse_validation(xml: &str) -> Result<Validated, String> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut path: Vec<String> = Vec::new();
    let (mut user, mut mail, mut failure) = (None, None, None);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if name == "authenticationFailure" {
                    let code = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.local_name().as_ref() == b"code")
                        .map(|a| String::from_utf8_lossy(&a.value).into_owned());
                    failure = Some(code.unwrap_or_else(|| "failure".to_owned()));
                }
                path.push(name);
            }
            Ok(Event::End(_)) => {
                path.pop();
            }
            Ok(Event::Text(t)) => {
                let text = t
                    .decode()
                    .map_err(|e| format!("the answer is not text: {e}"))?
                    .trim()
                    .to_owned();
                let inside =
                    |names: &[&str]| path.iter().rev().take(names.len()).rev().eq(names.iter());
                if inside(&["authenticationSuccess", "user"]) {
                    user = Some(text);
                } else if inside(&["attributes", "mail"]) && mail.is_none() {
                    mail = Some(text);
                }
            }
            Ok(Event::Eof) => break,
            Err(e) => return Err(format!("the answer is not XML: {e}")),
            _ => {}
        }
    }
    if let Some(code) = failure {
        return Err(format!("the ticket was refused: {code}"));
    }
    match user.filter(|u| !u.is_empty()) {
        Some(user) => Ok(Validated { user, mail }),
        None => Err("the answer names no user".to_owned()),
    }
}

/// The ticket a single-logout request names (`samlp:LogoutRequest`'s `SessionIndex`).
pub fn logout_ticket(xml: &str) -> Option<String> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut inside = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => inside = e.local_name().as_ref() == b"SessionIndex",
            Ok(Event::Text(t)) if inside => {
                return t
                    .decode()
                    .ok()
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty());
            }
            Ok(Event::End(_)) => inside = false,
            Ok(Event::Eof) | Err(_) => return None,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_success_with_its_mail() {
        let xml = r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
  <cas:authenticationSuccess>
    <cas:user>20190001</cas:user>
    <cas:attributes><cas:mail>lin@fz2.edu.cn</cas:mail><cas:name>林</cas:name></cas:attributes>
  </cas:authenticationSuccess>
</cas:serviceResponse>"#;
        assert_eq!(
            parse_validation(xml),
            Ok(Validated {
                user: "20190001".into(),
                mail: Some("lin@fz2.edu.cn".into())
            })
        );
    }

    #[test]
    fn a_failure_and_a_malformed_answer_are_refusals() {
        let xml = r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">
  <cas:authenticationFailure code="INVALID_TICKET">Ticket ST-1 not recognized</cas:authenticationFailure>
</cas:serviceResponse>"#;
        assert!(
            parse_validation(xml)
                .unwrap_err()
                .contains("INVALID_TICKET")
        );
        assert!(parse_validation("<html>login</html>").is_err());
        assert!(parse_validation("<cas:serviceResponse><cas:authenticationSuccess>").is_err());
    }

    #[test]
    fn a_logout_request_names_its_ticket() {
        let xml = r#"<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="1" Version="2.0" IssueInstant="2026-06-01T00:00:00Z"><saml:NameID xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">@NOT_USED@</saml:NameID><samlp:SessionIndex>ST-12-abc</samlp:SessionIndex></samlp:LogoutRequest>"#;
        assert_eq!(logout_ticket(xml).as_deref(), Some("ST-12-abc"));
        assert_eq!(logout_ticket("<x/>"), None);
    }
}
