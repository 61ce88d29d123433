"""Problem codes turned into specific sentences in the user's language.

Validation returns :class:`~tresxuno.domain.problems.Problem` data; this is the one place
that says, for each code, which field is wrong, what is wrong and what is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from tresxuno.domain.parties import PARTY_IDS
from tresxuno.domain.problems import Problem, StorageError
from tresxuno.domain.stages import Stage
from tresxuno.formatting import date_text, money_text, party_label, stage_label
from tresxuno.i18n import N_, _

#: Labels of the fields problems point at (the first dotted part of ``Problem.field``).
FIELD_LABELS: dict[str, str] = {
    "amount": N_("Amount"),
    "cost": N_("Total cost"),
    "rate": N_("Exchange rate"),
    "program": N_("Programme"),
    "category": N_("Category"),
    "year": N_("Fiscal year"),
    "fiscal_year": N_("Fiscal year"),
    "mix": N_("Mix"),
    "mix_reason": N_("Reason for the mix override"),
    "joint_split": N_("State's share of the joint state and municipal percentage"),
    "cap_authorisation": N_("Authorisation to exceed the cap"),
    "cap_authorised_by": N_("Cap exceeded: authorised by"),
    "cap_reason": N_("Cap exceeded: reason"),
    "cap_document": N_("Cap exceeded: document (oficio)"),
    "partner": N_("Partner"),
    "partner_amount": N_("Partner amount"),
    "students": N_("Students"),
    "scores": N_("Technical validation score"),
    "validator_name": N_("Validated by"),
    "validator_post": N_("Validator's post"),
    "validated_on": N_("Validation date"),
    "observations": N_("Observations"),
    "school_level": N_("School level"),
    "name": N_("Name"),
    "club": N_("Club"),
    "federation": N_("Federation"),
    "toma_folio": N_("Toma de nota folio"),
    "toma_issuer": N_("Toma de nota issued by"),
    "toma_issued_on": N_("Toma de nota issue date"),
    "toma_expires_on": N_("Toma de nota expiry date"),
    "members": N_("Members"),
    "board": N_("Board"),
    "us_city": N_("City (US)"),
    "us_state": N_("State (US)"),
    "us_region": N_("US region"),
    "mx_state_key": N_("Mexican state"),
    "state": N_("State (Mexico)"),
    "state_key": N_("State (Mexico)"),
    "municipality": N_("Municipality"),
    "municipality_key": N_("Municipality"),
    "home_state_key": N_("Home state"),
    "home_municipality_key": N_("Home municipality"),
    "home_contact": N_("Contact in the home community"),
    "contact": N_("Contact"),
    "project": N_("Project"),
    "stage": N_("Stage"),
    "documents": N_("Documents"),
    "number": N_("Session number"),
    "place": N_("Place"),
    "notes": N_("Notes"),
    "conditions": N_("Conditions"),
    "comment": N_("Comment"),
    "note": N_("Note"),
    "attendees": N_("Attendees"),
    "session": N_("COVAM session"),
    "called_on": N_("Date the session was called"),
    "voting_members": N_("Members with vote"),
    "criteria": N_("Priority criteria"),
    "version": N_("Version of the minutes"),
    "official": N_("Official"),
    "post": N_("Post"),
    "person_name": N_("Name of the official"),
    "title": N_("Title"),
    "institution": N_("Institution"),
    "starts_on": N_("Start of the term"),
    "ends_on": N_("End of the term"),
    "percent": N_("Physical progress (%)"),
    "reported_on": N_("Date of the report"),
    "kind": N_("Document type"),
    "file": N_("File"),
    "locality": N_("Locality"),
    "description": N_("Description"),
    "beneficiaries": N_("Beneficiaries"),
    "submitted_on": N_("Date of the request"),
    "projects": N_("Number of projects"),
    "seed": N_("Seed"),
    "db": N_("Database"),
    "audit": N_("Audit trail"),
    # Money trail (ledger) and exchange rates.
    "party": N_("Party"),
    "entry_date": N_("Date"),
    "usd_amount": N_("Amount in dollars"),
    "rate_date": N_("Date of the exchange rate"),
    "rate_source": N_("Source of the exchange rate"),
    "reference": N_("Bank reference"),
    "receipt": N_("Receipt"),
    "payee_name": N_("Payee"),
    "payee_rfc": N_("Payee's RFC"),
    "concept": N_("Concept"),
    "cfdi": N_("CFDI invoice"),
    "evidence": N_("Evidence"),
    "reason": N_("Reason"),
    "override_reason": N_("Reason for accepting more than the outstanding share"),
    "authorised_by": N_("Authorised by"),
    "authorisation": N_("Administrador's authorisation reason"),
    "signed_on": N_("Date the amendment was signed"),
    "document_reference": N_("Document reference"),
    "tranche": N_("Deposit tranche"),
    "calendar": N_("Deposit calendar"),
    "gate": N_("Stage gate"),
    "entry": N_("Ledger entry"),
    "source_party": N_("Paid from"),
    "rates": N_("Exchange rates file"),
    "source": N_("Source"),
    "on": N_("Date of the reversal"),
    # Import of clubs and projects from CSV/XLSX.
    "import_kind": N_("What to import"),
    # Office settings (first run, preferences).
    "logo": N_("Logo"),
    # Printed reports.
    "report": N_("Report"),
    # Exports, reports and backups: the file written.
    "output": N_("Output file"),
    # Users and sign-in.
    "user": N_("User"),
    "username": N_("User name"),
    "password": N_("Password"),
    "role": N_("User role"),
    "full_name": N_("Full name"),
    # Columns of the users table, as the audit trail names them.
    "active": N_("Active"),
    "failed_attempts": N_("Failed sign-in attempts"),
    "locked_until": N_("Locked until"),
    "last_login_at": N_("Last sign-in"),
    "password_hash": N_("Password (hash)"),
    # Convenio terms and goals
    "clabe": N_("CLABE"),
    "bank": N_("Bank"),
    "account_holder": N_("Account holder"),
    "modality": N_("Execution modality"),
    "contractor_name": N_("Contractor"),
    "contractor_rfc": N_("Contractor's RFC"),
    "partner_name": N_("Partner's name"),
    "partner_representative": N_("Partner's representative"),
    "partner_rfc": N_("Partner's RFC"),
    "partner_domicile": N_("Partner's domicile"),
    "goals": N_("Goals"),
}

#: One sentence per problem code; placeholders come from ``Problem.params``.
TEMPLATES: dict[str, str] = {
    "amount.empty": N_("enter an amount, e.g. 1,234.56"),
    "amount.decimal_comma": N_(
        "'{text}' uses a decimal comma; in Mexico amounts are written with a decimal point: {suggestion}"
    ),
    "amount.not_a_number": N_(
        "'{text}' is not an amount; write digits with an optional decimal point, e.g. 1,234.56"
    ),
    "amount.not_finite": N_("'{text}' is not an amount; write digits, e.g. 1,234.56"),
    "amount.too_many_decimals": N_("'{text}' has more than {max} decimals; amounts go to the centavo"),
    "amount.negative": N_("'{text}' is negative; negative amounts are not allowed here"),
    "amount.zero": N_("the amount must be greater than zero"),
    "amount.too_large": N_("the amount is too large; the most allowed is {max}"),
    "amount.wrong_currency": N_("the amount is in {found}, but {expected} is expected here"),
    "rate.empty": N_("enter the exchange rate, e.g. 17.2345"),
    "rate.not_a_number": N_("'{text}' is not an exchange rate; write pesos per dollar, e.g. 17.2345"),
    "rate.not_positive": N_("the exchange rate must be greater than zero"),
    "rate.too_many_decimals": N_("the exchange rate has more than {max} decimals"),
    "rate.too_large": N_("the exchange rate must be less than {max} pesos per dollar"),
    "rules.not_in_folder": N_(
        "{path} is not a rule file of the rules folder {folder}: only a readable .toml file inside it "
        "can be accepted"
    ),
    "rules.unknown_program": N_("'{program}' is not a known programme; allowed: {allowed}"),
    "rules.unknown_category": N_("'{category}' is not a category; allowed: {allowed}"),
    "rules.category_not_in_program": N_(
        "programme {program} has no rule set for '{category}' in {year}; allowed: {allowed}"
    ),
    "rules.program_ended": N_(
        "the {program} programme has no rules after {last_year} (its rules cover {years}); choose fiscal "
        "year {last_year} or earlier, or a programme that continues, such as a state programme"
    ),
    "rules.category_not_yet": N_(
        "programme {program} has '{category}' projects only from fiscal year {first_year}; "
        "{year} is earlier: choose {first_year} or later, or another category"
    ),
    "mix.no_joint_share": N_(
        "rule set {rule_set} has no share that the state and the municipality split between them; "
        "leave the split empty"
    ),
    "mix.joint_split_range": N_(
        "the {party} share of {value} % is outside the joint share: enter a percentage from 0 to {max}; "
        "the municipality takes the rest"
    ),
    "mix.joint_split_sum": N_(
        "the split between {parties} adds up to {value} %, but it must add up to their joint {percent} %"
    ),
    "cap.none_to_exceed": N_(
        "{party} has no cap in this rule set and year, so there is nothing to authorise; remove the "
        "authorisation"
    ),
    "cap.authorisation_not_needed": N_(
        "the {party} share of {amount} is within its cap of {cap}; an authorisation to exceed the cap "
        "is not needed: remove it"
    ),
    "cap.authorisation_required": N_(
        "the {party} share of {amount} exceeds its cap of {cap}: it is allowed only with a recorded "
        "authorisation; give who authorised it, why, and the document (oficio) reference"
    ),
    "rules.no_rule_for_year": N_(
        "programme {program} has no rule set for fiscal year {year}; its rules cover {years}"
    ),
    "scholarship.unknown_level": N_("'{level}' is not a school level; allowed: {allowed}"),
    "scholarship.no_amount": N_("rule set {rule_set} has no amount per student for '{level}'"),
    "scholarship.negative": N_("the number of students for '{level}' cannot be negative"),
    "scholarship.none": N_("enter at least one student"),
    "cost.too_small": N_("the total cost {cost} is below the smallest project cost accepted, {amount}"),
    "cost.not_positive": N_("the cost must be greater than zero"),
    "mix.negative": N_("the percentage of {party} cannot be negative"),
    "mix.sum": N_("the percentages must add up to 100; they add up to {total}"),
    "mix.reason_required": N_("a mix different from the rule set needs a reason"),
    "mix.unknown_party": N_("'{party}' is not a party; allowed: club, federal, state, municipal, partner"),
    "partner.negative": N_("the partner amount cannot be negative"),
    "partner.over_cap": N_("the partner amount is above the partner's cap of {cap}"),
    "partner.exceeds_cost": N_("the partner amount {amount} is more than the whole cost {cost}"),
    "partner.not_in_rule": N_(
        "rule set {rule_set} gives the partner no percentage; choose no partner or a fixed amount"
    ),
    "partner.required_by_rule": N_(
        "rule set {rule_set} requires a partner; choose the partner by rule or a fixed amount"
    ),
    "partner.amount_required": N_("enter the amount the partner agreed to contribute"),
    "partner.unknown_mode": N_("'{mode}' is not a partner option; allowed: none, rule, fixed"),
    "shares.nobody_for_rest": N_("nobody is left to pay the remaining {rest}"),
    "shares.shortfall_uncovered": N_(
        "the {party} share is capped at {cap} and no other party can cover the remaining {excess}; "
        "lower the cost, or record an authorisation to exceed the cap"
    ),
    "password.not_text": N_(
        "the password holds a byte that is not UTF-8 text (check TRESXUNO_PASSWORD or the terminal's "
        "encoding); it was not used"
    ),
    "text.required": N_("this field is required"),
    "text.too_long": N_("this field is too long: {length} characters; at most {max} characters"),
    "text.control_chars": N_(
        "this field contains a control or text-direction character ({char}) at position {position}; "
        "use plain text"
    ),
    "text.invisible_char": N_(
        "this field contains an invisible character ({char}) at position {position}; remove it"
    ),
    "text.invalid_characters": N_(
        "this field contains characters that are not valid text (a damaged file or copy); retype it"
    ),
    "number.not_whole": N_("'{text}' is not a whole number"),
    "number.out_of_range": N_("{value} is out of range; allowed: {min} to {max}"),
    "year.out_of_range": N_("fiscal year {year} is out of range; allowed: {min} to {max}"),
    "date.invalid": N_("'{text}' is not a date; write it as YYYY-MM-DD, e.g. 2026-03-31"),
    "members.too_few": N_("a club needs at least {min} adult members abroad; it has {value}"),
    "toma.dates_order": N_("the expiry date {expires} comes before the issue date {issued}"),
    "toma.too_long": N_(
        "a toma de nota is valid for at most two years; it would expire on {expires}, "
        "the latest allowed is {latest}"
    ),
    "toma.date_out_of_range": N_(
        "the issue date {date} is out of range; a toma de nota is dated between {min} and {max}"
    ),
    "toma.duplicate_folio": N_("folio {folio} is already registered for club {club}"),
    "club.unknown": N_("there is no club with id {id}"),
    "club.changed_elsewhere": N_(
        "club {club} was changed in another window or on another computer after you opened it; reload it "
        "to see those changes, then repeat yours"
    ),
    "club.toma_lapsed": N_(
        "club {club} cannot submit: its toma de nota {folio} was valid until {expired_on}; renew it first"
    ),
    "club.toma_not_yet_valid": N_(
        "club {club} cannot submit: its toma de nota {folio} is valid only from {issued_on}"
    ),
    "stage.unknown": N_("'{stage}' is not a stage; allowed: {allowed}"),
    "stage.not_allowed": N_("a project cannot go from {from} to {to}; from {from} it can go to: {allowed}"),
    "documents.missing": N_(
        "the project cannot go to the COVAM: {count} required document(s) missing: {documents}"
    ),
    "document.unknown_kind": N_("'{kind}' is not a document type; allowed: {allowed}"),
    "file.not_found": N_("the file {path} does not exist or is not a regular file"),
    # Files the officer has written (exports, reports, backups): see tresxuno.services.output_files.
    "output.exists": N_("{path} already exists; add --force to replace it"),
    "output.is_database": N_(
        "{path} is the database in use, or one of its -wal, -shm or -journal files; nothing was "
        "written: choose another file"
    ),
    "output.not_regular": N_(
        "{path} is not a regular file (a folder, a device or a pipe); choose a file name"
    ),
    "output.no_folder": N_("the folder of {path} does not exist; choose a file in an existing folder"),
    "attachment.unsafe_path": N_(
        "attachment {id} names '{path}', which is not a file inside the attachments folder: it was "
        "refused (only names the app stored, like attachments/<folio>/<file>, are opened)"
    ),
    "attachment.file_missing": N_(
        "attachment {id} ({name}): its stored copy {path} is missing; restore the data folder from a "
        "backup, or attach the document again"
    ),
    "attachment.file_altered": N_(
        "attachment {id} ({name}): its stored copy {path} was altered (its sha256 is not the one "
        "recorded when it was attached)"
    ),
    "attachment.unknown": N_("there is no attachment {id}"),
    "file.too_large": N_("the file is too large; at most {max_mb} MB"),
    "progress.unknown": N_("there is no progress report {id}"),
    "progress.after_next": N_(
        "{date} is after the next report ({next}); a corrected report keeps its place among the others"
    ),
    "file.empty": N_("the file {path} is empty (0 bytes): it is not a document; choose the scanned file"),
    "attachment.content_altered": N_(
        "the stored bytes of the file {sha}… no longer match their fingerprint: they were changed outside the app"
    ),
    "attachment.already_replaced": N_(
        "attachment {id} was already replaced by attachment {newer}; replace the newer one instead"
    ),
    "session.unknown_kind": N_("'{kind}' is not a kind of session; allowed: ordinaria, extraordinaria"),
    "session.called_after_held": N_(
        "the session was called on {called}, after it was held on {held}; the call (convocatoria) comes first"
    ),
    "session.unknown_role": N_("'{role}' is not a role at the COVAM; allowed: {allowed}"),
    "session.guest_votes": N_(
        "{name} attends as a guest; guests have no vote: untick Votes or change the role"
    ),
    "session.role_taken": N_("only one attendee can be the session's {role}; change the role of the others"),
    "session.voting_members_range": N_(
        "the committee cannot have {value} members with vote when {present} attended with vote; enter "
        "at least {present} (at most 200), or leave it empty to count those present"
    ),
    "session.final": N_(
        "version {version} of the minutes of session {number} was printed as final and cannot change; "
        "open a new version, with the reason, to correct it"
    ),
    "session.not_final": N_(
        "version {version} of the minutes of session {number} is not final yet; correct it directly"
    ),
    "session.unknown_version": N_("session {number} has no final version {version} of its minutes"),
    "session.no_quorum": N_(
        "session {number} had no quorum: {present} of its {members} members with vote attended and "
        "{needed} are needed, the president among them; the committee cannot rule without quorum "
        "(if the attendance is wrong, correct it and mark the president)"
    ),
    "votes.incomplete": N_("give the votes in favour, against and abstentions, or none of them"),
    "votes.negative": N_("a number of votes cannot be negative"),
    "votes.too_many": N_("{cast} votes were cast but only {voters} members with vote attended"),
    "votes.not_a_majority": N_(
        "an approval needs more votes in favour than against; {for} in favour and {against} against"
    ),
    "official.unknown_post": N_("'{post}' is not a post; allowed: {allowed}"),
    "official.ends_before_start": N_("the term ends on {end}, before it starts on {start}"),
    "official.overlap": N_(
        "{name} held this post from {start} to {end}; two people cannot hold one post on the same day "
        "(end the other term first)"
    ),
    "official.unknown": N_("there is no official with id {id}"),
    "session.duplicate_number": N_("a session numbered {number} already exists"),
    "session.unknown": N_("there is no COVAM session with id {id}"),
    "session.unknown_number": N_(
        "there is no COVAM session numbered “{number}”; give the number printed on its minutes, e.g. 1/2016"
    ),
    "agenda.duplicate": N_("project {folio} is already on this session's agenda"),
    "agenda.not_prevalidated": N_(
        "project {folio} is in stage {stage}; only pre-validated projects go to the COVAM"
    ),
    "agenda.not_on_agenda": N_("project {id} is not on the agenda of session {number}"),
    "ruling.duplicate": N_("project {folio} is listed twice in these rulings; give each project one ruling"),
    "ruling.unknown": N_("'{ruling}' is not a ruling; allowed: {allowed}"),
    "ruling.reason_required": N_("the ruling “{ruling}” needs the committee's reasons in the conditions"),
    "ruling.not_at_covam": N_("project {folio} is in stage {stage}, no longer waiting for a ruling"),
    "percent.not_a_number": N_("'{text}' is not a percentage; write a number from 0 to 100, e.g. 45.5"),
    "date.future": N_("{date} is in the future"),
    "request.date_before_programme": N_(
        "the request is dated {date}, before the programme began; give a date from {first} to today"
    ),
    "progress.not_under_way": N_(
        "project {folio} is in stage {stage}; progress is reported once the agreement is signed and until "
        "the works are handed over"
    ),
    "progress.before_last": N_("{date} is before the last progress report ({last})"),
    "progress.lower_needs_note": N_("the progress goes down from {last} % to {value} %; say why in the note"),
    "project.unknown": N_("there is no project with id {id}"),
    # Project drafts and edits (project form and record).
    "project.changed_elsewhere": N_(
        "project {folio} was changed by someone else after you opened it; close the form, open the "
        "project again and redo your changes"
    ),
    "payment.exceeds_cost": N_(
        "the payment of {amount} would take what was paid out ({paid} so far) beyond the project's cost "
        "of {cost}; paying more than the signed cost needs a convenio modificatorio first"
    ),
    "amendment.cost_unchanged": N_(
        "the new cost is the current cost, {cost}; a convenio modificatorio must change the cost"
    ),
    "amendment.below_paid": N_(
        "the new cost {cost} is below the {paid} already paid out of the project; enter at least {paid}"
    ),
    "amendment.before_convenio": N_(
        "{date} is before the convenio was signed on {convenio}; enter a date from {convenio} to today"
    ),
    "amendment.stage_not_allowed": N_(
        "project {folio} is in stage {stage}; a convenio modificatorio is recorded only in stages {allowed}"
    ),
    "project.cost_needs_amendment": N_(
        "the convenio of project {folio} is signed (stage {stage}); its cost changes only through a "
        "convenio modificatorio (Project record, Convenio modificatorio…)"
    ),
    "project.not_editable": N_(
        "project {folio} is in stage {stage}; only a draft or a returned project can be changed"
    ),
    "shares.missing": N_(
        "the shares of project {folio} are not computed; open its form, check the cost, partner and mix, "
        "and save it again"
    ),
    "federation.unknown": N_("there is no federation with id {id}"),
    "federation.changed_elsewhere": N_(
        "the federation {name} was changed in another window or computer since; open it again to see "
        "the change before editing it"
    ),
    "federation.duplicate_name": N_("a federation named {name} already exists"),
    "state.unknown": N_("'{key}' is not an INEGI state key; use two digits, e.g. 32 for Zacatecas"),
    "us_state.unknown": N_("'{value}' is not a US state; use its two-letter code, e.g. CA"),
    "municipality.unknown": N_("'{key}' is not an INEGI municipality key; use five digits, e.g. 32056"),
    "municipality.wrong_state": N_("municipality {key} is not in state {state_key}"),
    "municipality.not_in_list": N_("'{text}' is not a municipality of {state}; choose one from the list"),
    "choice.required": N_("choose one from the list"),
    "beneficiaries.negative": N_("the number of beneficiaries cannot be negative"),
    "beneficiaries.too_many": N_("the number of beneficiaries cannot exceed {max}"),
    "demo.not_empty": N_("the database already holds data; demo data goes into an empty database"),
    "projects.out_of_range": N_("{value} projects is out of range; allowed: {min} to {max}"),
    # Money trail (ledger), CFDI invoices, RFCs and exchange rates.
    "ledger.no_convenio": N_(
        "project {folio} is in stage {stage}; money is recorded only once the agreement (convenio) is signed"
    ),
    "ledger.year_closed": N_("fiscal year {year} is closed; nothing dated in it can be recorded"),
    "entry.unknown": N_("there is no ledger entry with id {id}"),
    "party.unknown": N_("'{party}' is not a party; allowed: {allowed}"),
    "override.incomplete": N_(
        "accepting more than the outstanding share needs both the reason and who authorised it"
    ),
    "contribution.exceeds_outstanding": N_(
        "{amount} is more than the {outstanding} that {party} still owes; to accept it anyway, give the "
        "reason and who authorised it"
    ),
    "contribution.party_not_in_project": N_(
        "{party} has no share in project {folio}; its parties are: {parties}"
    ),
    "contribution.rate_required": N_("a deposit in dollars needs the exchange rate, e.g. 17.2345"),
    "contribution.rate_date_required": N_("enter the date of the exchange rate"),
    "contribution.rate_date_after_entry": N_(
        "the exchange rate's date {rate_date} is after the deposit's date {entry_date}"
    ),
    "contribution.rate_mismatch": N_(
        "the pesos credited ({amount}) differ by more than 0.5 % from the dollars at {rate} ({expected}); "
        "check the amount and the rate"
    ),
    "payment.evidence_required": N_("attach the CFDI invoice (XML) or a scanned receipt"),
    "payment.cfdi_duplicate": N_(
        "CFDI {uuid} already backs an entry of project {folio}; an invoice can back only one payment"
    ),
    "payment.cfdi_total_differs": N_("the amount {amount} is not the CFDI's total {total}"),
    "payment.cfdi_rfc_differs": N_("the payee's RFC {rfc} is not the RFC of the CFDI's issuer, {issuer_rfc}"),
    "payment.cfdi_currency": N_("the CFDI is in {currency}; payments are recorded in pesos (MXN)"),
    "payment.exceeds_cash": N_(
        "the payment of {amount} is more than the {cash} the project has available on that date"
    ),
    "payment.exceeds_party_funds": N_(
        "the payment of {amount} is more than the {available} {party} has in the project"
    ),
    "payment.exceeds_funds": N_(
        "the payment of {amount} is more than the {available} the parties have deposited and not yet "
        "spent; still to be deposited: {owed}. Record the deposits first, or pay less"
    ),
    "ledger.project_closed": N_(
        "project {folio} is closed: no contributions or payments can be recorded; only refunds "
        "(reintegros) and reversals, authorised by an administrador with the reason"
    ),
    "ledger.project_cancelled": N_(
        "project {folio} is cancelled: it receives and pays nothing more; only refunds (reintegros) "
        "to return its money, and reversals authorised by an administrador, can be recorded"
    ),
    "ledger.authorisation_required": N_(
        "project {folio} is {stage}: an administrador must authorise this entry and give the "
        "reason for the authorisation"
    ),
    "reversal.money_spent": N_(
        "reversing it takes {amount} back from {party}, which has only {available} left on that "
        "date: the money was already spent or refunded; reverse those payments or refunds first"
    ),
    "check.party_negative": N_(
        "project {folio}: {party} holds {amount}, less than nothing; money was spent or refunded "
        "that the party never deposited"
    ),
    "check.closed_holds_money": N_(
        "project {folio} is closed but {party} still holds {amount}; a closed project holds nothing"
    ),
    "check.paid_exceeds_cost": N_("project {folio}: {paid} was paid, more than its cost of {cost}"),
    "check.entry_after_close": N_(
        "project {folio}: entry {id} ({kind}, {amount}) was recorded after the project was closed "
        "without an administrador's authorisation"
    ),
    "payment.party_not_in_project": N_("{party} has no share in project {folio}; its parties are: {parties}"),
    "payment.no_shares": N_("project {folio} has no shares to attribute the payment to"),
    "refund.exceeds_party_funds": N_(
        "the refund of {amount} is more than the {available} {party} has in the project"
    ),
    "refund.exceeds_cash": N_(
        "the refund of {amount} is more than the {cash} the project has available on that date"
    ),
    "reversal.already_reversed": N_("entry {entry_id} was already reversed by entry {reversal_id}"),
    "reversal.before_entry": N_("a reversal cannot be dated before the entry it reverses ({date})"),
    "reversal.exceeds_cash": N_(
        "reversing it takes out {amount}, more than the {cash} the project has available on that date"
    ),
    "fiscal_year.already_closed": N_("fiscal year {year} was already closed on {closed_at} by {closed_by}"),
    "fiscal_year.future": N_("fiscal year {year} has not begun; it cannot be closed"),
    "fiscal_year.reintegros_missing": N_(
        "fiscal year {year} cannot be closed: the federal money unspent on 31 December must be refunded "
        "to TESOFE by {deadline} (a refund to the federal party with its línea de captura), or an "
        "administrador must record an exception, for: {reintegros}"
    ),
    "refund.federal_reference_required": N_(
        "a refund to the federal party needs its reference: the TESOFE línea de captura or the bank reference"
    ),
    "reintegro.overdue": N_(
        "project {folio} of fiscal year {year} still owes TESOFE a reintegro of {amount} of unspent federal "
        "money, due by {deadline}; record the refund to the federal party, or an administrador's exception"
    ),
    "reintegro.not_required": N_(
        "project {folio} owes no federal reintegro for fiscal year {year}; an exception is not needed"
    ),
    "reintegro.already_excepted": N_(
        "an exception for project {folio}'s reintegro of fiscal year {year} was already recorded by {by}"
    ),
    "cfdi.too_large": N_("the file has {size} bytes; a CFDI invoice has at most {max}"),
    "cfdi.unsafe": N_(
        "the file declares a DTD, entities or external references ({detail}); a genuine CFDI never does, "
        "so it was not read"
    ),
    "cfdi.malformed": N_("the file is not well-formed XML: {detail}"),
    "cfdi.not_cfdi": N_("the XML is not a CFDI invoice: its root element is {root}, not cfdi:Comprobante"),
    "cfdi.version": N_(
        "the CFDI is version {version}; tresxuno reads stamped CFDI invoices of versions 3.2, 3.3 and 4.0"
    ),
    "cfdi.no_uuid": N_(
        "the CFDI has no fiscal stamp (tfd:TimbreFiscalDigital with a UUID); ask the issuer for the "
        "stamped XML"
    ),
    "cfdi.field_missing": N_("the CFDI lacks {attribute}"),
    "cfdi.field_invalid": N_("the CFDI's {attribute} '{value}' is not valid"),
    "cfdi.not_invoice": N_(
        "the CFDI is of type {kind} ({name}), not an invoice (I, ingreso); only an invoice is evidence of "
        "a payment"
    ),
    "payment.cfdi_date_out_of_window": N_(
        "the invoice is dated {date}, too far from the payment's date; an invoice dated {start} to {end} "
        "backs it"
    ),
    "payment.cfdi_receiver_differs": N_(
        "the invoice is billed to RFC {receiver_rfc}, not to the municipality's RFC {office_rfc}"
    ),
    "payment.cfdi_receiver_unchecked": N_(
        "the invoice is billed to RFC {receiver_rfc}; the office has no RFC set, so tresxuno cannot check "
        "that it was billed to the municipality"
    ),
    "cfdi.changed": N_("the file {path} changed while it was being filed; choose it again"),
    "rfc.empty": N_("enter the RFC"),
    "rfc.length": N_("'{rfc}' has {length} characters; an RFC has 12 (a company) or 13 (a person)"),
    "rfc.format": N_(
        "'{rfc}' is not an RFC: 3 letters (a company) or 4 (a person), 6 digits of a date and 3 characters"
    ),
    "rfc.date": N_("RFC {rfc} holds {date}, which is not a date (YYMMDD)"),
    "rfc.check_digit": N_(
        "the last character of RFC {rfc} does not match SAT's check digit ({expected}); correct it if it "
        "was mistyped, or confirm the RFC as typed if it is so on the taxpayer's documents"
    ),
    "rates.bad_date": N_("line {row}: '{text}' is not a date; write dd/mm/yyyy or yyyy-mm-dd"),
    "rates.bad_rate": N_(
        "line {row}: '{text}' is not an exchange rate; write pesos per dollar, e.g. 17.2345, or N/E"
    ),
    "rates.duplicate_date": N_("line {row}: {date} already has a rate on line {first_row}"),
    "rates.future_date": N_("line {row}: {date} is in the future"),
    "rates.no_rows": N_("the file holds no exchange rates"),
    "rates.unreadable": N_("line {row}: the file cannot be read as CSV ({detail}); export it again as CSV"),
    "rates.too_large": N_("the file is too large; at most {max_mb} MB"),
    # Import of clubs and projects from CSV/XLSX (tresxuno.services.importer).
    "import.unknown_kind": N_("'{kind}' cannot be imported; allowed: {allowed}"),
    "import.too_large": N_("the file is too large; at most {max_mb} MB"),
    "import.unknown_format": N_(
        "{name} is not a CSV or XLSX file; save it from the spreadsheet as CSV or as an Excel workbook "
        "(.xlsx)"
    ),
    "import.unknown_sheet": N_("the workbook has no sheet named {sheet}; its sheets are: {sheets}"),
    "import.unreadable": N_("{name} cannot be read as {format}: {detail}"),
    "import.not_utf8": N_(
        "{name} is UTF-8 text, but line {line} has a byte ({byte}) that is not UTF-8; fix or retype that "
        "line, or save the file again as UTF-8"
    ),
    "import.no_header": N_("{name} is empty: it has no header row"),
    "import.too_many_rows": N_("the file has more than {max} rows; split it into smaller files"),
    "import.no_rows": N_("the file has a header row but no data rows under it"),
    "import.missing_column": N_(
        "required, but no column of the file is set to it; add the column to the file or choose it in the "
        "column mapping"
    ),
    "import.field_mapped_twice": N_("columns {columns} are all set to this field; choose one"),
    "import.formula": N_(
        "the cell holds a formula ({text}); formulas are not allowed: copy the column and paste it as values"
    ),
    "import.cell_error": N_("the cell shows the spreadsheet error {text}"),
    "import.bad_date": N_("'{text}' is not a date; write it as dd/mm/yyyy, e.g. 31/03/2026"),
    "import.state_unknown": N_(
        "'{text}' is not a Mexican state; write its name (e.g. Zacatecas) or its two-digit INEGI key "
        "(e.g. 32)"
    ),
    "import.municipality_not_found": N_(
        "there is no municipality named '{name}' in {state}; check the spelling or write its five-digit "
        "INEGI key"
    ),
    "import.municipality_not_found_similar": N_(
        "there is no municipality named '{name}' in {state}; did you mean {suggestions}?"
    ),
    "import.municipality_not_found_anywhere": N_(
        "there is no municipality named '{name}'; check the spelling or write its five-digit INEGI key"
    ),
    "import.municipality_ambiguous": N_(
        "'{name}' names more than one municipality: {candidates}; write the five-digit INEGI key"
    ),
    "import.federation_unknown": N_(
        "there is no federation named '{name}'; register the federation first, or leave the cell empty"
    ),
    "import.club_not_found": N_(
        "there is no club with the toma de nota folio or name '{text}'; register the club first"
    ),
    "import.club_ambiguous": N_(
        "several clubs are named '{name}' (folios {folios}); write the toma de nota folio instead"
    ),
    "import.duplicate_folio_in_file": N_("toma de nota folio {folio} is also on row {first_row}"),
    "import.duplicate_project_in_file": N_(
        "row {first_row} holds the same project (same club, fiscal year and name)"
    ),
    "project.duplicate": N_(
        "the club already has the project {name} in fiscal year {year} (folio {folio}); was this file "
        "imported before?"
    ),
    # Office settings (first run, preferences).
    "logo.not_image": N_("{path} is not a PNG or JPEG image; choose the logo as a PNG or JPEG file"),
    # Printed reports (tresxuno report KIND).
    "project.unknown_folio": N_("there is no project with folio {folio}"),
    "audit_package.scope": N_(
        "give either a project's folio (--project) or a fiscal year (--year), not both"
    ),
    "audit_package.no_projects": N_("fiscal year {year} has no projects; choose a year that has projects"),
    "password.not_given": N_(
        "no password was given for {user}: run the command in a terminal, or set TRESXUNO_PASSWORD"
    ),
    "validation.points_not_number": N_(
        "criterion '{id}': '{value}' is not a number of points; write a whole number such as 15"
    ),
    "validation.unknown_criterion": N_(
        "'{id}' is not a criterion of this year's technical validation; the criteria are: {allowed}"
    ),
    "validation.repeated_criterion": N_("criterion '{id}' is scored twice; give each criterion one score"),
    "validation.missing_criterion": N_("criterion '{id}' has no score; score every criterion (0 is allowed)"),
    "validation.points_range": N_("criterion '{id}' gives 0 to {max} points; {value} is outside that range"),
    "validation.no_criteria": N_(
        "no technical validation criteria cover fiscal year {year}; add a set for it to seeds/validation.toml"
    ),
    "validation.date_before_year": N_(
        "{date} is too early for a project of fiscal year {year}; a validation is dated the year before or later"
    ),
    "scholarship.level_required": N_(
        "a scholarship student needs a school level; the levels of this project's rules are: {allowed}"
    ),
    "scholarship.level_unknown": N_(
        "'{level}' is not a school level of this project's rules; the levels are: {allowed}"
    ),
    "committee.date_future": N_(
        "the committee cannot be constituted after today ({date}); give the day it was elected"
    ),
    "committee.date_too_early": N_(
        "{date} is before the project's fiscal year; the committee is constituted on or after {first}"
    ),
    "committee.too_few": N_("a committee needs at least {min} members: a president and at least one more"),
    "committee.too_many": N_("a committee has at most {max} members"),
    "committee.one_president": N_("the committee needs exactly one president; it has {count}"),
    "committee.position": N_("'{value}' is not a position on the committee; allowed: {allowed}"),
    "committee.sex": N_("'{value}' is not a sex the padrón records; allowed: M (mujer), H (hombre) or blank"),
    "committee.record_kind": N_("'{value}' is not a kind of committee record; allowed: {allowed}"),
    "committee.record_date_future": N_("{date} is after today; record a meeting or report once it happened"),
    "committee.record_before_committee": N_(
        "{date} is before the committee was constituted ({constituted}); give a later date"
    ),
    "locality.key_invalid": N_(
        "'{key}' is not an INEGI locality key of municipality {municipality}: nine digits that begin with "
        "the municipality's five"
    ),
    "curp.shape": N_(
        "'{value}' is not a CURP: 18 characters, four letters, the birth date (AAMMDD), H, M or X, the state, "
        "three consonants and two more characters"
    ),
    "curp.date": N_("the CURP {value} encodes a birth date that does not exist; check its digits 5 to 10"),
    "curp.state": N_(
        "the CURP {value} names the state '{state}', which does not exist; check its letters 12 and 13"
    ),
    "curp.check_digit": N_(
        "the CURP {value} does not match its check digit (it should end in {expected}): a character was mistyped"
    ),
    "curp.repeated": N_("the CURP {value} is already in this padrón; each person appears once"),
    "office.timezone_unknown": N_("'{value}' is not a time zone of Mexico; allowed: {allowed}"),
    "committee.changed_elsewhere": N_(
        "someone else saved the committee of {folio} while you edited it; open it again and repeat your change"
    ),
    "committee.missing": N_("project {folio} has no contraloría social committee yet; record it first"),
    "transparency.format": N_("'{format}' is not a transparency format; allowed: {allowed}"),
    "transparency.year": N_("the fiscal year {year} is outside the programme's years; allowed: 2002 to 2100"),
    "transparency.quarter": N_(
        "the quarter {quarter} does not exist; allowed: 1, 2, 3 or 4 (or none for the whole year)"
    ),
    "report.unknown_kind": N_("'{kind}' is not a report; allowed: {allowed}"),
    "report.option_required": N_("the {kind} report needs {option}"),
    "report.option_not_applicable": N_("the {kind} report does not use {option}"),
    "report.municipality_no_projects": N_(
        "municipality {key} ({name}) has no projects in fiscal year {year}; choose all municipalities or "
        "another one"
    ),
    "report.agreement_not_approved": N_(
        "project {folio} is in stage {stage}; an agreement is printed only for a project the COVAM approved"
    ),
    "report.receipt_not_contribution": N_(
        "ledger entry {id} is not a contribution; receipts are printed for contributions only"
    ),
    "report.handover_incomplete": N_(
        "project {folio}: the hand-over act is printed only for works at 100 % physical progress; the latest "
        "report ({date}) says {percent} %"
    ),
    "report.handover_no_progress": N_(
        "project {folio}: the hand-over act is printed only for works at 100 % physical progress, and no "
        "progress has been reported; record a report of 100 % first"
    ),
    # Deposit calendar (ministraciones) and stage gates.
    "ministracion.party_without_share": N_(
        "{party} has no share in this project; tranches are set only for parties with a share"
    ),
    "ministracion.amount_not_positive": N_(
        "tranche {number} of {party} is {amount}; each tranche must be more than $0.00"
    ),
    "clabe.empty": N_("enter the CLABE: the 18 digits of the account"),
    "clabe.format": N_("'{clabe}' has {length} characters; a CLABE has exactly 18 digits and nothing else"),
    "clabe.check_digit": N_(
        "CLABE {clabe} ends in {found} but its control digit is {expected}: a digit is mistyped; "
        "copy the 18 digits again from the bank's statement"
    ),
    "goal.too_many": N_("{count} goals; a project has at most {max} goals"),
    "goal.quantity_range": N_("goal {number}: the quantity must be more than 0 and at most {max}"),
    "goal.beneficiaries_range": N_("goal {number}: the beneficiaries must be between 0 and {max}"),
    "goal.quantity_text": N_(
        "goal {number}: '{text}' is not a quantity; write a number with at most three decimals, e.g. 350 or 1.25"
    ),
    "convenio.modality_unknown": N_("'{modality}' is not an execution modality; allowed: {allowed}"),
    "convenio.contractor_without_contract": N_(
        "a contractor is named only when the works are executed by contract; choose the contract modality "
        "or clear the contractor's name and RFC"
    ),
    "ministracion.trigger_unknown": N_(
        "tranche {number} of {party}: '{trigger}' is not a way a tranche falls due; allowed: {allowed}"
    ),
    "ministracion.date_missing": N_("tranche {number} of {party} falls due on a date: give the date"),
    "ministracion.date_out_of_range": N_(
        "tranche {number} of {party}: the date {date} must fall between the years {min} and {max}"
    ),
    "ministracion.date_before_signing": N_(
        "tranche {number} of {party}: the date {date} is before the convenio was signed ({signed}); "
        "give a later date"
    ),
    "ministracion.percent_out_of_range": N_(
        "tranche {number} of {party}: the physical progress that makes it due must be a whole percent "
        "from 1 to 100 (given: {value})"
    ),
    "ministracion.sum_differs": N_(
        "the tranches of {party} add up to {total} but its share is {share}; they must add up exactly to "
        "the share"
    ),
    "ministracion.not_editable": N_(
        "project {folio} is in stage {stage}; the deposit calendar can be changed only while the convenio "
        "is signed or the works are under way"
    ),
    "ministracion.due_changed": N_(
        "tranche {number} of {party} fell due on {date}; a tranche already due cannot be changed or removed"
    ),
    "ministracion.already_due": N_(
        "tranche {number} of {party} would already be due ({date}); a new or changed tranche must fall due "
        "after today"
    ),
    "gate.convenio_missing": N_(
        "project {folio} cannot start its works: the signed convenio is not on file; attach it under "
        "Documents (“{document}”), or an administrator records an exception with its reason"
    ),
    "gate.first_deposit_missing": N_(
        "project {folio} cannot start its works until each party's first tranche is received in full: "
        "{details}; or an administrator records an exception with its reason"
    ),
    "gate.no_progress": N_(
        "project {folio} cannot be marked finished: no physical progress has been reported; record a "
        "report of 100 % first"
    ),
    "gate.progress_incomplete": N_(
        "project {folio} cannot be marked finished: the latest physical progress report ({date}) says "
        "{percent} %; the works must reach 100 %"
    ),
    "gate.money_left": N_(
        "project {folio} cannot be closed while a party still holds money on it: {details}"
    ),
    "gate.exception_not_waiting": N_(
        "project {folio} is in stage {stage}; an exception to the gate of {gate} is recorded only while the "
        "project waits to enter it"
    ),
    "gate.unknown": N_("'{gate}' is not a stage gate that allows an exception; allowed: {allowed}"),
    "gate.not_administrator": N_(
        "{user} is not an active administrator; only an administrator can authorise an exception"
    ),
    "check.calendar_sum_differs": N_(
        "project {folio}: the deposit calendar of {party} adds up to {total} but its share is {share}"
    ),
    "report.act_not_for_category": N_(
        "project {folio} is a works project: it is closed with the hand-over of the works, not with an act "
        "of scholarships or of goods"
    ),
    "report.act_stage": N_(
        "project {folio} is in stage {stage}; this act is printed only in stages {allowed}"
    ),
    "report.receipts_not_scholarships": N_(
        "project {folio} is not a scholarship project; receipts per student are printed only for scholarships"
    ),
    "report.no_students": N_(
        "project {folio} has no students in its padrón; add each student with their school level first"
    ),
    "report.no_validation": N_(
        "project {folio} has no technical validation yet; score its technical file first"
    ),
    "report.handover_not_finished": N_(
        "project {folio} is in stage {stage}; the hand-over act is printed only for finished works "
        "(terminado or cerrado)"
    ),
    # Users, roles and sign-in.
    "auth.role_required": N_("only {roles} may {action}; sign in as a user with that role"),
    "auth.bad_credentials": N_("wrong user name or password"),
    "auth.office_may_not": N_(
        "officers of {office} may not {action}: it changes what every office sharing this database "
        "relies on; an administrator of the whole database (or of the state office) does it"
    ),
    "office.outside_jurisdiction": N_(
        "{value} is outside the jurisdiction of {office}; an office changes only the projects, clubs "
        "and records of its own municipalities"
    ),
    "auth.locked": N_("too many wrong passwords: the account is locked until {until}"),
    "auth.inactive": N_("the account {username} is deactivated; ask the administrator"),
    "auth.user_required": N_(
        "this database has users: give --user NAME (the password is read from TRESXUNO_PASSWORD or asked)"
    ),
    "auth.own_submission": N_("you captured or submitted project {folio}; another reviewer must rule on it"),
    "auth.own_payment": N_("you recorded payment {id}; another treasury officer must reverse it"),
    "user.unknown": N_("there is no user {username}"),
    "office.public_key_invalid": N_(
        "the public key must be the 64 hexadecimal digits that 'tresxuno consolidate key' prints at the office"
    ),
    "consolidation.nothing_new": N_(
        "there are no changes since the last package (record {seq}); nothing to send"
    ),
    "consolidation.no_key": N_(
        "{office} has no public key registered; register the key its office prints with 'tresxuno consolidate key'"
    ),
    "consolidation.unreadable": N_("{path} is not a tresxuno consolidation package"),
    "consolidation.bad_signature": N_(
        "the package's signature does not match the key registered for this office: it was altered, or "
        "it comes from another office; nothing was imported"
    ),
    "consolidation.tampered": N_(
        "the package was altered after it was signed ({member} does not match its manifest); nothing was imported"
    ),
    "consolidation.broken_chain": N_(
        "the package's records do not follow one another at record {seq}; nothing was imported"
    ),
    "consolidation.not_first": N_(
        "this office has sent nothing yet, so its first package must start at record 1 (this one starts "
        "at {from_seq}); export it again with --since 1"
    ),
    "consolidation.other_source": N_(
        "the package comes from another database file than this office's earlier packages; nothing was imported"
    ),
    "consolidation.does_not_chain": N_(
        "the package does not continue what this office sent before (record {seq} differs); nothing was imported"
    ),
    "consolidation.gap": N_(
        "a package is missing: the next one must start at record {expected}, this one starts at {from_seq}; "
        "import the missing one first, or export again with --since {expected}"
    ),
    "consolidation.outside_jurisdiction": N_(
        "project {folio} is in municipality {municipality}, outside the jurisdiction of {office}; nothing was imported"
    ),
    "consolidation.conflicts": N_(
        "{count} records of the package meet another version here; nothing was imported. Decide for all of "
        "them with --accept-theirs (the office's version) or --keep-ours (this database's), and import again"
    ),
    "consolidation.conflict": N_("{table} {id} ({reason}): theirs {theirs}; ours {ours}"),
    "office.code_invalid": N_(
        "'{code}' is not a valid office key; use 2 to 20 lower-case letters, digits or hyphens, "
        "starting with a letter or digit (jerez, zac-estatal)"
    ),
    "office.db_role_invalid": N_(
        "'{role}' is not a PostgreSQL role name the policies can use; use up to 63 lower-case letters, "
        "digits or underscores, starting with a letter or underscore"
    ),
    "office.db_role_missing": N_(
        "the database server has no role {role}; create it first (CREATE ROLE {role} LOGIN PASSWORD …)"
    ),
    "office.db_role_taken": N_(
        "the database role {role} already confines another office; each office has its own"
    ),
    "office.kind_unknown": N_("'{kind}' is not a kind of office; the kinds are: {allowed}"),
    "office.state_unknown": N_(
        "there is no state with key {state}; use the two-digit INEGI key (32 is Zacatecas)"
    ),
    "office.municipality_unknown": N_(
        "there is no municipality with key {municipality}; use the five-digit INEGI key (32020 is Jerez)"
    ),
    "office.municipality_elsewhere": N_(
        "municipality {municipality} is not in state {state}; an office covers municipalities of its own state"
    ),
    "office.municipal_needs_one": N_(
        "a municipal office covers exactly one municipality ({count} given); a state office may list several"
    ),
    "office.code_taken": N_("another office already has the key {value}; choose another"),
    "office.name_taken": N_("another office is already called {value}; choose another name"),
    "office.unknown": N_("there is no office {office}; the list of offices shows their keys"),
    "office.changed_elsewhere": N_(
        "someone else changed the office {office} meanwhile; open it again to see their changes"
    ),
    "user.exists": N_("the user name {username} is taken; choose another"),
    "user.username_invalid": N_(
        "'{username}' is not a valid user name; use 2 to 40 lower-case letters, digits, dots, hyphens or "
        "underscores, starting with a letter or digit"
    ),
    "user.role_unknown": N_("'{role}' is not a role; allowed: {allowed}"),
    "user.password_too_short": N_("the password is too short; at least {min} characters"),
    "user.password_mismatch": N_("the two passwords differ; type the same password twice"),
    "user.first_must_be_admin": N_("the first user must be an administrator"),
    "user.last_admin": N_(
        "{username} is the last active administrator; make another user administrator first"
    ),
    # Audit trail and ledger integrity (tresxuno check).
    "audit.broken_link": N_(
        "audit record {seq} ({table}, row {row}) does not match its hash: it, or the chain before it, was "
        "altered"
    ),
    "audit.gap": N_(
        "audit record {expected} is missing: the trail jumps to record {seq} ({table}, row {row})"
    ),
    "audit.head_mismatch": N_(
        "the audit trail ends at record {seq} but its head says {head}: records were removed from the end"
    ),
    "audit.entry_unaudited": N_("entry {id} is not in the audit trail: it was written behind the app's back"),
    "audit.entry_amount_mismatch": N_(
        "entry {id}: amount {amount} does not match the audit trail ({expected})"
    ),
    "audit.entry_mismatch": N_("entry {id}: {column} '{value}' does not match the audit trail ('{audited}')"),
    "audit.entry_missing": N_(
        "entry {id} is in the audit trail but not in the database: it was deleted behind the app's back"
    ),
    "audit.allocation_missing": N_(
        "allocation line {id} is in the audit trail but not in the database: it was deleted behind the "
        "app's back"
    ),
    "audit.allocation_unaudited": N_(
        "allocation line {id} is not in the audit trail: it was written behind the app's back"
    ),
    "audit.allocation_amount_mismatch": N_(
        "allocation line {id}: amount {amount} does not match the audit trail ({expected})"
    ),
    "audit.allocation_mismatch": N_(
        "allocation line {id}: {column} '{value}' does not match the audit trail ('{audited}')"
    ),
    "audit.row_unaudited": N_(
        "{table} row {id} is not in the audit trail: it was written behind the app's back"
    ),
    "audit.row_mismatch": N_(
        "{table} row {id}: {column} '{value}' does not match the audit trail ('{audited}')"
    ),
    "audit.row_missing": N_(
        "{table} row {id} is in the audit trail but not in the database: it was deleted behind the app's back"
    ),
    "audit.not_sealed": N_(
        "the office key {key} on this computer does not seal this audit trail: the trail was re-hashed "
        "without it, or belongs to another office (seal it with tresxuno seal)"
    ),
    "audit.other_key": N_(
        "this audit trail is sealed with office key {sealed}, not with the key {key} on this computer"
    ),
    "audit.seal_missing": N_(
        "the audit trail's head says records from {since} on are sealed with the office key, but the "
        "trail ends at record {seq}: the head or the trail was altered"
    ),
    "audit.anchor_missing": N_(
        "the audit trail (ending at record {seq}) does not pass through {anchor}: records written "
        "before that head was printed were altered or removed"
    ),
    "ledger.line_orphan": N_("allocation lines point to entry {id}, which does not exist"),
    "ledger.lines_differ": N_(
        "entry {id}: its allocation lines add up to {total}, not to its amount {amount}"
    ),
    "ledger.reversal_target": N_("reversal {id} points to entry {target}, which is not in its project"),
    "ledger.reversed_twice": N_("entry {target} is reversed twice, by entry {first} and by entry {second}"),
    "ledger.reversal_amount": N_("reversal {id} of {amount} does not cancel entry {target} ({expected})"),
    "ledger.cash_negative": N_("project {project}: its cash ends at {amount}, below zero"),
}

STORAGE_TEMPLATES: dict[str, str] = {
    "db.too_new": N_(
        "this database was written by a newer version of tresxuno (schema {revision}); "
        "install the newer version to open it (this is version {app_version})"
    ),
    "db.not_a_database": N_("{where} is not a tresxuno database"),
    "db.locked": N_("the database is busy in another window or computer; try again in a moment"),
    "db.read_only": N_("the database is read-only; copy it to a folder you can write to"),
    "db.read_only_outdated": N_(
        "{where} is read-only and has an older schema ({revision}) that must be upgraded before use; "
        "copy it to a folder you can write to and open the copy"
    ),
    "db.disk_full": N_("the disk is full; free some space and try again"),
    "file.not_writable": N_(
        "cannot write {path}: you may not write in that folder, or the file is "
        "read-only; choose another folder"
    ),
    "file.disk_full": N_("cannot write {path}: the disk is full; free some space or choose another disk"),
    "file.cannot_write": N_("cannot write {path} ({reason}); choose another file or folder"),
    "file.in_use": N_(
        "cannot replace or delete {path}: another program has it open (Excel, an antivirus scan, "
        "another tresxuno window…); close that program and try again"
    ),
    "file.in_use_or_denied": N_(
        "cannot replace or delete {path}: another program may have it open (Excel, an antivirus "
        "scan, another tresxuno window…), or the file or its folder is read-only; close that program "
        "and try again, or choose another folder"
    ),
    "db.unreachable": N_("cannot reach the database server {where}; check the network and the server"),
    "db.cannot_open": N_("cannot open the database {where}: {detail}"),
    "db.not_found": N_("there is no database at {where}"),
    "db.cannot_create": N_("cannot create the database at {where}: {detail}"),
    "db.foreign_schema": N_("{where} holds tables that are not tresxuno's; choose another file or database"),
    "db.backup_failed": N_("cannot back up {where} before upgrading it, so it was not upgraded: {detail}"),
    "db.needs_upgrade": N_(
        "{where} has the schema of an older version of tresxuno ({revision}); check reads it without "
        "changing it, so it was not checked: open it once with this version (tresxuno --db FILE), which "
        "backs it up and upgrades it, then check again"
    ),
    "audit.key_invalid": N_(
        "the office key file {where} does not hold a key ({detail}); restore it from your copy"
    ),
    "consolidation.key_invalid": N_(
        "the consolidation key file {where} does not hold a key; restore it from your copy, or move it "
        "aside to make a new one (and register the new public key at the state office)"
    ),
    "audit.key_exists": N_("there is already an office key in {where}; it is never replaced"),
    "audit.key_missing": N_(
        "this database's audit trail is sealed with office key {key}, which is not on this computer: "
        "copy the key file to {where}, then try again"
    ),
    "audit.key_mismatch": N_(
        "this database's audit trail is sealed with office key {sealed}, but {where} holds key {key}: "
        "use the office's key file, then try again"
    ),
    "backup.server_database": N_(
        "{where} is a database server: its backups are the server's job "
        "(pg_dump); ask whoever runs the server"
    ),
    "backup.failed": N_("cannot write the backup {where}: {detail}"),
    "backup.same_file": N_("{where} is the database itself; choose another file for the backup"),
    "restore.not_found": N_("there is no file at {where}; nothing was restored"),
    "restore.not_sqlite": N_("{where} is not a database file; nothing was restored"),
    "restore.corrupt": N_("{where} is damaged ({detail}); nothing was restored"),
    "restore.not_tresxuno": N_("{where} is a database, but not a tresxuno one; nothing was restored"),
    "restore.too_new": N_(
        "{where} was written by a newer version of tresxuno (schema {revision}); nothing was restored"
    ),
    "restore.same_file": N_("{where} is the database in use; choose a backup file"),
    "restore.schema_extra": N_(
        "{where} has a {kind} that a database at schema {revision} does not have ({name}); it was "
        "altered outside tresxuno, so nothing was restored"
    ),
    "restore.schema_missing": N_(
        "{where} lacks the {kind} {name} of schema {revision}; it was altered outside tresxuno, so "
        "nothing was restored"
    ),
    "restore.schema_differs": N_(
        "{where}: the {kind} {name} is not as schema {revision} defines it; it was altered outside "
        "tresxuno, so nothing was restored"
    ),
    "restore.upgrade_failed": N_("{where} could not be brought up to date ({detail}); nothing was restored"),
    "restore.no_users": N_(
        "{where} has no users: restoring it would let anyone in without signing in; nothing was restored"
    ),
    "restore.audit_failed": N_("{where} fails the audit trail check: {detail}; nothing was restored"),
    "move.same_folder": N_("{where} is already the data folder"),
    "move.not_empty": N_("{where} is not empty; choose a new or empty folder"),
    "move.nested": N_("{where} is inside the data folder, or holds it; choose a folder elsewhere"),
    "move.failed": N_("cannot copy the data to {where}: {detail}; the data stays where it was"),
    "move.verify_failed": N_(
        "the copy of {file} in {where} differs from the original; the data stays where it was"
    ),
}

#: Params holding a stage id (or a COVAM ruling, which is one): shown by the stage's name.
_STAGE_PARAMS = {"stage", "from", "to", "ruling", "gate"}
_STAGE_IDS = {s.value for s in Stage}

#: Params holding centavos MXN: shown as es-MX/en-US money, never as raw integers.
_MONEY_PARAMS = {
    "cap",
    "excess",
    "rest",
    "amount",
    "cost",
    "outstanding",
    "cash",
    "available",
    "total",
    "expected",
    "share",
    "paid",
}


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").fullmatch


def _render(template: str, params: Mapping[str, Any]) -> str:
    values = {}
    for key, value in params.items():
        if key in _MONEY_PARAMS and isinstance(value, int) and not isinstance(value, bool):
            value = money_text(value)
        elif key in _STAGE_PARAMS and value in _STAGE_IDS:
            # Officers know stages by their names, not by the ids stored in the database.
            value = stage_label(value)
        elif key == "allowed" and isinstance(value, str) and set(value.split(", ")) <= _STAGE_IDS:
            value = ", ".join(stage_label(v) for v in value.split(", "))
        elif key == "party" and value in PARTY_IDS:
            # Like stages: "Federal", "Estatal", not the ids stored; an unknown id typed is shown as typed.
            value = party_label(value)
        elif key == "owed" and isinstance(value, str):
            value = _owed_text(value)
        elif key not in ("row", "id") and isinstance(value, str) and _ISO_DAY(value):
            # Problems carry days as ISO text; officers read them as dd/mm/aaaa (a row's id stays as stored).
            value = date_text(date.fromisoformat(value))
        elif key == "parties" and isinstance(value, str) and value and set(value.split(", ")) <= PARTY_IDS:
            value = ", ".join(party_label(v) for v in value.split(", "))
        values[key] = value
    # A missing parameter shows as "?" rather than hiding the whole message behind a KeyError.
    return _(template).format_map(_Lenient(values))


def _owed_text(value: str) -> str:
    """``club=100;state=5`` (see :func:`tresxuno.domain.ledger.owed_text`) as "Club $1.00, ...".

    Nothing owed reads "nothing".
    """
    parts = []
    for pair in filter(None, value.split(";")):
        party, _sep, amount = pair.partition("=")
        name = party_label(party) if party in PARTY_IDS else party
        parts.append(f"{name} {money_text(int(amount))}" if amount.lstrip("-").isdigit() else pair)
    return ", ".join(parts) if parts else _("nothing")


class _Lenient(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def field_label(field: str) -> str:
    """The translated label of ``field`` (``mix.federal`` is labelled like ``mix``)."""
    base = field.split(".")[0].split("[")[0]
    label = FIELD_LABELS.get(base)
    return _(label) if label else field


def describe(problem: Problem, *, with_field: bool = True) -> str:
    """One sentence: the field, what is wrong and what is allowed, in the current language."""
    template = TEMPLATES.get(problem.code)
    text = _render(template, problem.params) if template else f"{problem.code} {dict(problem.params)}"
    return f"{field_label(problem.field)}: {text}" if with_field else text


def describe_storage(error: StorageError) -> str:
    """What went wrong with the database and what to do about it."""
    template = STORAGE_TEMPLATES.get(error.code)
    params = {"where": error.params.get("path") or error.params.get("url") or "", **error.params}
    return _render(template, params) if template else str(error)
