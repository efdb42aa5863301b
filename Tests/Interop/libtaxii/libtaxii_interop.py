#!/usr/bin/env python3
"""Interop check between Bastion's TAXII messages and libtaxii 1.1.119 (the TAXII 1.x Python library).

    python libtaxii_interop.py BASTION_BINARY [--fixtures DIR] [--verbose]

A. libtaxii -> Bastion -> libtaxii: messages of every type (TAXII 1.1 and 1.0) are built with libtaxii
   and written with to_xml(); `bastion taxii convert --to xml` reads and rewrites each; libtaxii parses
   Bastion's XML and compares it with the original (libtaxii's own __eq__), then compares
   `bastion taxii convert --to json` with the original's to_dict() and `--to text` with to_text().
C. Schemas: every XML document Bastion wrote in A, and every valid fixture, is valid against the
   XSDs libtaxii ships (`bastion taxii validate --xsd`, XML-DSig import answered by Bastion's stand-in).
B. Bastion -> libtaxii -> Bastion: Bastion's hand-written fixtures (Tests/TAXIITests/Fixtures/valid,
   valid10) are written by Bastion, parsed by libtaxii, written again by libtaxii, and read back by
   Bastion, whose dictionary form must not change; libtaxii's to_dict() of Bastion's XML must equal
   Bastion's JSON.

Dictionary comparisons normalise only what differs in representation, not in meaning: XML content
and XML extended-header values are compared as exclusive C14N (libtaxii keeps the serialised bytes,
with the element's tail text and inherited namespace declarations), libtaxii's ContentBinding
objects in to_dict() by their to_dict(). Text comparisons skip the "Content length" line (libtaxii
measures its own re-serialisation of the content). KNOWN lines are documented libtaxii behaviours,
asserted as they are. Exit status: 0 when nothing failed, 1 otherwise, 2 for a setup problem.
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile

from lxml import etree

import libtaxii.messages_10 as tm10
import libtaxii.messages_11 as tm11
import libtaxii.taxii_default_query as tdq  # registers the Default Query format before any parse
from libtaxii.constants import *

UTC = datetime.timezone.utc
T1 = datetime.datetime(2015, 1, 1, 0, 0, 0, tzinfo=UTC)
T2 = datetime.datetime(2015, 1, 2, 12, 30, 0, 250000, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
STIX = ('<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" xmlns:example="http://example.com/" '
        'id="example:Package-1" version="1.2"><stix:STIX_Header><stix:Title>Interop &amp; more</stix:Title>'
        '</stix:STIX_Header></stix:STIX_Package>')
HTTPS = VID_TAXII_HTTPS_10
HEADER_XML = '<ctx:Context xmlns:ctx="urn:example:ctx" level="2">lab</ctx:Context>'


def messages_11():
    cb = tm11.ContentBinding
    push = tm11.PushParameters(HTTPS, 'https://client.example.com/inbox', VID_TAXII_XML_11)
    poll_service = tm11.PollingServiceInstance(HTTPS, 'https://taxii.example.com/poll', [VID_TAXII_XML_11])
    # libtaxii's own __eq__ cannot sort a list mixing XML (bytes) and text (str) content blocks, so
    # each message carries one kind.
    blocks = [
        tm11.ContentBlock(cb(CB_STIX_XML_12), STIX, timestamp_label=T1, message='one'),
        tm11.ContentBlock(cb(CB_STIX_XML_111), STIX.replace('Package-1', 'Package-2'), padding='xxxx'),
    ]
    text_blocks = [tm11.ContentBlock(cb('urn:example:text', ['plain']), 'plain <text> & more', padding='xxxx', message='m')]
    yield 'Discovery_Request', tm11.DiscoveryRequest('1', extended_headers={'urn:example:h': 'v'})
    yield 'Discovery_Response', tm11.DiscoveryResponse('2', '1', service_instances=[
        tm11.ServiceInstance(SVC_POLL, VID_TAXII_SERVICES_11, HTTPS, 'https://taxii.example.com/poll', [VID_TAXII_XML_11],
                             available=True, message='poll here'),
        tm11.ServiceInstance(SVC_INBOX, VID_TAXII_SERVICES_11, VID_TAXII_HTTP_10, 'http://taxii.example.com/inbox',
                             [VID_TAXII_XML_11, VID_TAXII_XML_10], inbox_service_accepted_content=[cb(CB_STIX_XML_111), cb(CB_STIX_XML_12, ['a'])]),
    ])
    yield 'Discovery_Response (Default Query info)', tm11.DiscoveryResponse('3', '1', service_instances=[
        tm11.ServiceInstance(SVC_POLL, VID_TAXII_SERVICES_11, HTTPS, 'https://taxii.example.com/poll', [VID_TAXII_XML_11],
                             supported_query=[tdq.DefaultQueryInfo([tdq.DefaultQueryInfo.TargetingExpressionInfo(
                                 CB_STIX_XML_111, allowed_scope=['**'])], [CM_CORE])]),
    ])
    yield 'Collection_Information_Request', tm11.CollectionInformationRequest('4')
    yield 'Collection_Information_Response', tm11.CollectionInformationResponse('5', '4', collection_informations=[
        tm11.CollectionInformation('default', 'Default collection', supported_contents=[cb(CB_STIX_XML_111)], available=True,
                                   push_methods=[tm11.PushMethod(HTTPS, [VID_TAXII_XML_11])],
                                   polling_service_instances=[poll_service],
                                   subscription_methods=[tm11.SubscriptionMethod(HTTPS, 'https://taxii.example.com/cm', [VID_TAXII_XML_11])],
                                   collection_volume=42,
                                   receiving_inbox_services=[tm11.ReceivingInboxService(HTTPS, 'https://taxii.example.com/inbox', [VID_TAXII_XML_11], [cb(CB_STIX_XML_12)])]),
        tm11.CollectionInformation('set', 'A data set', collection_type=CT_DATA_SET, polling_service_instances=[poll_service]),
    ])
    yield 'Subscription_Management_Request (SUBSCRIBE)', tm11.ManageCollectionSubscriptionRequest(
        '6', collection_name='default', action=ACT_SUBSCRIBE,
        subscription_parameters=tm11.SubscriptionParameters(RT_COUNT_ONLY, [cb(CB_STIX_XML_111)]), push_parameters=push)
    yield 'Subscription_Management_Request (PAUSE)', tm11.ManageCollectionSubscriptionRequest(
        '7', collection_name='default', action=ACT_PAUSE, subscription_id='sub-1')
    yield 'Subscription_Management_Response', tm11.ManageCollectionSubscriptionResponse('8', '6', collection_name='default', message='ok', subscription_instances=[
        tm11.SubscriptionInstance('sub-1', SS_ACTIVE, tm11.SubscriptionParameters(RT_FULL), push,
                                  [tm11.PollInstance(HTTPS, 'https://taxii.example.com/poll', [VID_TAXII_XML_11])]),
        tm11.SubscriptionInstance('sub-2', SS_PAUSED),
    ])
    yield 'Poll_Request (parameters)', tm11.PollRequest('9', collection_name='default', exclusive_begin_timestamp_label=T1,
                                                        inclusive_end_timestamp_label=T2,
                                                        poll_parameters=tm11.PollParameters(RT_FULL, [cb(CB_STIX_XML_12)], allow_asynch=True,
                                                                                            delivery_parameters=tm11.DeliveryParameters(HTTPS, 'https://client.example.com/inbox', VID_TAXII_XML_11)))
    yield 'Poll_Request (subscription)', tm11.PollRequest('10', collection_name='default', subscription_id='sub-1')
    yield 'Poll_Request (Default Query)', tm11.PollRequest('11', collection_name='default', poll_parameters=tm11.PollParameters(
        query=tdq.DefaultQuery(CB_STIX_XML_111, tdq.DefaultQuery.Criteria(OP_AND, criterion=[tdq.DefaultQuery.Criterion(
            'STIX_Package/Indicators/Indicator/Title', tdq.DefaultQuery.Criterion.Test(CM_CORE, R_EQUALS, {P_VALUE: 'x', P_MATCH_TYPE: 'case_sensitive_string'}))]))))
    yield 'Poll_Response', tm11.PollResponse('12', '9', collection_name='default', exclusive_begin_timestamp_label=T1,
                                             inclusive_end_timestamp_label=T2, subscription_id='sub-1', message='part 1',
                                             content_blocks=blocks, more=True, result_id='res-1', result_part_number=1,
                                             record_count=tm11.RecordCount(250, True))
    yield 'Poll_Response (text content)', tm11.PollResponse('20', '9', collection_name='default', content_blocks=text_blocks)
    yield 'Poll_Fulfillment', tm11.PollFulfillmentRequest('13', collection_name='default', result_id='res-1', result_part_number=2)
    yield 'Inbox_Message', tm11.InboxMessage('14', message='push', result_id='res-2', destination_collection_names=['default', 'archive'],
                                             subscription_information=tm11.SubscriptionInformation('default', 'sub-1', T1, T2),
                                             record_count=tm11.RecordCount(2), content_blocks=blocks,
                                             extended_headers={'urn:example:ctx': etree.fromstring(HEADER_XML)})
    yield 'Status_Message (SUCCESS)', tm11.StatusMessage('15', '14', status_type=ST_SUCCESS)
    yield 'Status_Message (PENDING)', tm11.StatusMessage('16', '9', status_type=ST_PENDING, status_detail={
        SD_ESTIMATED_WAIT: 60, SD_RESULT_ID: 'res-2', SD_WILL_PUSH: False}, message='later')
    yield 'Status_Message (UNSUPPORTED_CONTENT)', tm11.StatusMessage('17', '14', status_type=ST_UNSUPPORTED_CONTENT_BINDING, status_detail={
        SD_SUPPORTED_CONTENT: [cb(CB_STIX_XML_111), cb(CB_STIX_XML_12)]})
    yield 'Status_Message (DESTINATION_COLLECTION_ERROR)', tm11.StatusMessage('18', '14', status_type=ST_DESTINATION_COLLECTION_ERROR, status_detail={
        SD_ACCEPTABLE_DESTINATION: ['default', 'archive']})
    yield 'Status_Message (INVALID_RESPONSE_PART)', tm11.StatusMessage('19', '13', status_type=ST_INVALID_RESPONSE_PART, status_detail={SD_MAX_PART_NUMBER: 4})


def messages_10():
    dp = tm10.DeliveryParameters(HTTPS, 'https://client.example.com/inbox', VID_TAXII_XML_10, [CB_STIX_XML_10])
    blocks = [
        tm10.ContentBlock(CB_STIX_XML_101, STIX, timestamp_label=T1),
        tm10.ContentBlock(CB_STIX_XML_10, STIX.replace('Package-1', 'Package-3'), padding='xx'),
    ]
    text_blocks = [tm10.ContentBlock('urn:example:text', 'plain <text>', padding='xx')]
    yield 'Discovery_Request', tm10.DiscoveryRequest('101', extended_headers={'urn:example:h': 'v'})
    yield 'Discovery_Response', tm10.DiscoveryResponse('102', '101', service_instances=[
        tm10.ServiceInstance(SVC_INBOX, VID_TAXII_SERVICES_10, HTTPS, 'https://taxii.example.com/inbox', [VID_TAXII_XML_10],
                             inbox_service_accepted_content=[CB_STIX_XML_10], available=True, message='inbox'),
        tm10.ServiceInstance(SVC_FEED_MANAGEMENT, VID_TAXII_SERVICES_10, HTTPS, 'https://taxii.example.com/fm', [VID_TAXII_XML_10]),
    ])
    yield 'Feed_Information_Request', tm10.FeedInformationRequest('103')
    yield 'Feed_Information_Response', tm10.FeedInformationResponse('104', '103', feed_informations=[
        tm10.FeedInformation('default', 'Default feed', [CB_STIX_XML_10, CB_STIX_XML_101], available=True,
                             push_methods=[tm10.PushMethod(HTTPS, [VID_TAXII_XML_10])],
                             polling_service_instances=[tm10.PollingServiceInstance(HTTPS, 'https://taxii.example.com/poll', [VID_TAXII_XML_10])],
                             subscription_methods=[tm10.SubscriptionMethod(HTTPS, 'https://taxii.example.com/fm', [VID_TAXII_XML_10])]),
    ])
    yield 'Subscription_Management_Request (SUBSCRIBE)', tm10.ManageFeedSubscriptionRequest('105', feed_name='default', action=ACT_SUBSCRIBE, delivery_parameters=dp)
    yield 'Subscription_Management_Request (UNSUBSCRIBE)', tm10.ManageFeedSubscriptionRequest('106', feed_name='default', action=ACT_UNSUBSCRIBE, subscription_id='sub-1', delivery_parameters=dp)
    yield 'Subscription_Management_Response', tm10.ManageFeedSubscriptionResponse('107', '105', feed_name='default', message='ok', subscription_instances=[
        tm10.SubscriptionInstance('sub-1', dp, [tm10.PollInstance(HTTPS, 'https://taxii.example.com/poll', [VID_TAXII_XML_10])]),
    ])
    yield 'Poll_Request', tm10.PollRequest('108', feed_name='default', exclusive_begin_timestamp_label=T1, inclusive_end_timestamp_label=T2,
                                           subscription_id='sub-1', content_bindings=[CB_STIX_XML_10])
    yield 'Poll_Response', tm10.PollResponse('109', '108', feed_name='default', inclusive_begin_timestamp_label=T1, inclusive_end_timestamp_label=T2,
                                             subscription_id='sub-1', message='two', content_blocks=blocks)
    yield 'Inbox_Message', tm10.InboxMessage('110', message='push', subscription_information=tm10.SubscriptionInformation('default', 'sub-1', T1, T2),
                                             content_blocks=blocks)
    yield 'Inbox_Message (text content)', tm10.InboxMessage('112', content_blocks=text_blocks)
    yield 'Status_Message', tm10.StatusMessage('111', '110', status_type=ST_RETRY, status_detail='30', message='busy')


# --- normalisation -------------------------------------------------------------------------------

def c14n(text):
    if isinstance(text, bytes):
        text = text.decode('utf-8')
    try:
        # Whitespace-only text between elements is dropped: libtaxii's pretty printing re-indents content.
        element = etree.fromstring(text.strip().encode('utf-8'), etree.XMLParser(remove_blank_text=True))
    except etree.XMLSyntaxError:
        return text
    return etree.tostring(element, method='c14n', exclusive=True).decode('utf-8')


def normalise(value, key=None):
    """A libtaxii to_dict() value (or Bastion's JSON) in comparable form."""
    if isinstance(value, (tm11.ContentBinding,)):
        return normalise(value.to_dict())
    if isinstance(value, bytes):
        value = value.decode('utf-8')
    if isinstance(value, dict):
        if 'content_is_xml' in value and value.get('content_is_xml'):
            value = dict(value, content=c14n(value['content']))
        if key == 'extended_headers':
            return {k: (c14n(v) if (isinstance(v, (str, bytes)) and (v.strip().startswith('<') if isinstance(v, str) else v.strip().startswith(b'<'))) else v)
                    for k, v in value.items()}
        return {k: normalise(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def text_lines(text):
    return [line for line in text.rstrip('\n').split('\n') if 'Content length' not in line and 'Content Length' not in line]



# --- running Bastion -----------------------------------------------------------------------------

class Bastion:
    def __init__(self, binary, workdir):
        self.binary = binary
        self.workdir = workdir
        self.count = 0

    def validate_xsd(self, paths, xsd):
        done = subprocess.run([self.binary, 'taxii', 'validate', '--xsd', xsd] + paths, capture_output=True, text=True, timeout=120)
        return done.returncode, done.stdout + done.stderr

    def convert(self, text, to, version=None):
        self.count += 1
        path = os.path.join(self.workdir, 'm%d.%s' % (self.count, 'json' if text.lstrip().startswith('{') else 'xml'))
        with open(path, 'w', encoding='utf-8') as handle:
            handle.write(text)
        self.last_input_path = path
        arguments = [self.binary, 'taxii', 'convert', path, '--to', to]
        if version:
            arguments += ['--version', version]
        done = subprocess.run(arguments, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError('bastion taxii convert --to %s failed (%d): %s' % (to, done.returncode, done.stderr.strip()))
        return done.stdout


# --- checks --------------------------------------------------------------------------------------

class Report:
    def __init__(self, verbose):
        self.verbose = verbose
        self.counts = {'PASS': 0, 'FAIL': 0, 'KNOWN': 0}

    def line(self, status, name, detail=''):
        self.counts[status] += 1
        print('%-5s %s%s' % (status, name, (' — ' + detail) if detail else ''))

    def check(self, name, condition, detail=''):
        self.line('PASS' if condition else 'FAIL', name, '' if condition else detail)


written = {}


def direction_c(bastion, report, fixtures):
    xsd_dir = os.path.join(os.path.dirname(tm11.__file__), 'xsd')
    for version, schema, folder in (('1.1', 'TAXII_XMLMessageBinding_Schema_11.xsd', 'valid'), ('1.0', 'TAXII_XMLMessageBinding_Schema.xsd', 'valid10')):
        xsd = os.path.join(xsd_dir, schema)
        status, output = bastion.validate_xsd(written.get(version, []), xsd)
        report.check('C %s: the %d documents Bastion wrote in A are valid against libtaxii\'s %s' % (version, len(written.get(version, [])), schema),
                     status == 0 and written.get(version), output)
        directory = os.path.join(fixtures, folder)
        paths = [os.path.join(directory, name) for name in sorted(os.listdir(directory))]
        status, output = bastion.validate_xsd(paths, xsd)
        report.check('C %s: the %d hand-written fixtures are valid against %s' % (version, len(paths), schema), status == 0, output)


def direction_a(bastion, report):
    for version, module, generator in (('1.1', tm11, messages_11), ('1.0', tm10, messages_10)):
        for name, original in generator():
            label = 'A %s %s' % (version, name)
            xml = original.to_xml().decode('utf-8')
            try:
                rewritten = bastion.convert(xml, 'xml')
                written.setdefault(version, []).append(bastion.last_input_path.replace('.xml', '.out.xml'))
                with open(written[version][-1], 'w', encoding='utf-8') as handle:
                    handle.write(rewritten)
                parsed = module.get_message_from_xml(rewritten.encode('utf-8'))
                # libtaxii's __eq__ compares XML content as serialised bytes, inherited namespace
                # declarations included, and only the last item of a list; every field of its
                # to_dict() (content as exclusive C14N) is compared instead.
                report.check(label + ': libtaxii reads Bastion\'s XML as the same message',
                             normalise(parsed.to_dict()) == normalise(original.to_dict()),
                             '\n--- libtaxii\n%s\n--- bastion\n%s' % (xml, rewritten))
                ours = json.loads(bastion.convert(xml, 'json'))
                theirs = normalise(original.to_dict())
                report.check(label + ': Bastion\'s JSON equals libtaxii\'s to_dict()', normalise(ours) == theirs,
                             '\n--- libtaxii\n%s\n--- bastion\n%s' % (json.dumps(theirs, sort_keys=True, indent=1), json.dumps(normalise(ours), sort_keys=True, indent=1)))
                if 'SUPPORTED_CONTENT' in json.dumps(ours):
                    try:
                        module.get_message_from_dict(ours)
                        report.line('FAIL', label + ': libtaxii from_dict() read SUPPORTED_CONTENT from JSON (behaviour changed)')
                    except ValueError as error:
                        report.line('KNOWN', label + ': libtaxii from_dict() takes SUPPORTED_CONTENT only as Python ContentBinding objects, never from JSON',
                                    str(error)[:90])
                    continue
                back = module.get_message_from_dict(json.loads(bastion.convert(xml, 'json')))
                report.check(label + ': libtaxii from_dict() of Bastion\'s JSON is the same message',
                             normalise(back.to_dict()) == normalise(original.to_dict()))
                ours_text = bastion.convert(xml, 'text')
                theirs_text = original.to_text()
                if 'SUPPORTED_CONTENT' in theirs_text:
                    report.line('KNOWN', label + ': to_text() — libtaxii prints SUPPORTED_CONTENT as Python object reprs',
                                'Bastion: %s' % [l for l in text_lines(ours_text) if 'SUPPORTED_CONTENT' in l])
                elif any(not isinstance(v, str) for v in original.extended_headers.values()):
                    report.line('KNOWN', label + ': to_text() — libtaxii prints an XML extended header as a Python Element repr',
                                'other lines equal: %s' % (text_lines(ours_text)[3:] == text_lines(theirs_text)[3:]))
                elif version == '1.0' and original.extended_headers:
                    report.line('KNOWN', label + ': to_text() — libtaxii 1.0 ends an extended header line without a newline')
                elif version == '1.0' and 'Push Parameters' in theirs_text:
                    report.line('KNOWN', label + ': to_text() — libtaxii 1.0 prints "Any Content" when bindings ARE named; Bastion when none are',
                                'other lines equal: %s' % ([l for l in text_lines(ours_text) if 'Content Binding' not in l] == [l for l in text_lines(theirs_text) if 'Content Binding' not in l]))
                else:
                    report.check(label + ': text equals libtaxii\'s to_text()', text_lines(ours_text) == text_lines(theirs_text),
                                 '\n--- libtaxii\n%s\n--- bastion\n%s' % (theirs_text, ours_text))
            except Exception as error:  # noqa: BLE001 — every failure is reported, the run goes on
                report.line('FAIL', label, repr(error))



def direction_b(bastion, report, fixtures):
    for folder, version, module in (('valid', '1.1', tm11), ('valid10', '1.0', tm10)):
        directory = os.path.join(fixtures, folder)
        for file in sorted(os.listdir(directory)):
            label = 'B %s %s' % (version, file)
            try:
                with open(os.path.join(directory, file), encoding='utf-8') as handle:
                    source = handle.read()
                ours_xml = bastion.convert(source, 'xml')
                ours_json = normalise(json.loads(bastion.convert(source, 'json')))
                parsed = module.get_message_from_xml(ours_xml.encode('utf-8'))
                if 'Signature' in source:
                    report.line('KNOWN', label + ': libtaxii drops ds:Signature; the rest must survive',
                                'libtaxii parsed it: %s' % (parsed is not None))
                    continue
                again = bastion.convert(parsed.to_xml(pretty_print=True).decode('utf-8'), 'json')
                after = normalise(json.loads(again))
                known = known_rewrite_difference(version, ours_json, after) if after != ours_json else None
                if known:
                    report.line('KNOWN', label + ': ' + known)
                    continue
                report.check(label + ': libtaxii rewrites it, Bastion reads the same message', after == ours_json,
                             '\n--- before\n%s\n--- after libtaxii\n%s' % (json.dumps(ours_json, sort_keys=True, indent=1), json.dumps(normalise(json.loads(again)), sort_keys=True, indent=1)))
                theirs = normalise(parsed.to_dict())
                known = known_dictionary_difference(version, parsed, theirs, ours_json)
                if known:
                    report.line('KNOWN', label + ': ' + known)
                else:
                    report.check(label + ': libtaxii\'s to_dict() equals Bastion\'s JSON', theirs == ours_json,
                                 '\n--- libtaxii\n%s\n--- bastion\n%s' % (json.dumps(theirs, sort_keys=True, indent=1), json.dumps(ours_json, sort_keys=True, indent=1)))
            except Exception as error:  # noqa: BLE001
                report.line('FAIL', label, repr(error))


def known_dictionary_difference(version, parsed, theirs, ours):
    """libtaxii to_dict() behaviours Bastion does not copy, each asserted exactly: the description
    when `theirs` equals `ours` changed the way that behaviour explains, else None."""
    if theirs == ours:
        return None
    # libtaxii reads a SUPPORTED_CONTENT detail "binding>subtype,…" (its own string form, which its
    # writer produces) as one binding id; Bastion splits it into binding id and subtypes.
    joined = json.loads(json.dumps(ours))
    for value in (joined.get('status_detail') or {}).values():
        for item in (value if isinstance(value, list) else [value]):
            if isinstance(item, dict) and item.get('subtype_ids'):
                item['binding_id'] += '>' + ','.join(item['subtype_ids'])
                item['subtype_ids'] = []
    if joined == theirs:
        return 'libtaxii does not split a SUPPORTED_CONTENT detail "binding>subtypes" that it writes itself'
    return None


def known_rewrite_difference(version, before, after):
    """What libtaxii's writer loses, asserted exactly (None: nothing known explains the difference)."""
    if version == '1.0':
        # libtaxii 1.0 writes Service_Instance@available only when it is true.
        lowered = json.loads(json.dumps(before))
        for instance in lowered.get('service_instances', []):
            if instance.get('available') is False:
                instance['available'] = None
        if lowered == after:
            return 'libtaxii 1.0 drops available="false" from Service_Instance when it writes XML'
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('bastion')
    parser.add_argument('--fixtures', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'TAXIITests', 'Fixtures'))
    parser.add_argument('--verbose', action='store_true')
    arguments = parser.parse_args()
    if not os.access(arguments.bastion, os.X_OK):
        print('libtaxii_interop: %s is not executable' % arguments.bastion, file=sys.stderr)
        return 2
    report = Report(arguments.verbose)
    with tempfile.TemporaryDirectory(prefix='bastion-libtaxii-') as workdir:
        bastion = Bastion(arguments.bastion, workdir)
        direction_a(bastion, report)
        direction_b(bastion, report, arguments.fixtures)
        direction_c(bastion, report, arguments.fixtures)
    print('summary: %(PASS)d passed, %(FAIL)d failed, %(KNOWN)d known libtaxii differences' % report.counts)
    return 1 if report.counts['FAIL'] else 0


if __name__ == '__main__':
    sys.exit(main())
