"""Writes the bridge tests' STIX fixtures with the `stix` package (python-stix), as real producers
write them. Run under python-stix 1.2 for the STIX 1.2 files and under 1.1.1 for the STIX 1.1.1 ones:

    Tests/BridgeTests/Fixtures/make-stix-fixtures.sh
"""
import collections
import collections.abc
import datetime
import os

# python-stix 1.1.1 (2014) predates Python 3.10, which moved these to collections.abc.
for _name in ("MutableSequence", "MutableMapping", "Sequence", "Mapping", "Iterable"):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))

import stix
from cybox.core import Observable, ObservableComposition
from cybox.objects.address_object import Address
from cybox.objects.email_message_object import EmailAddress
from stix.core import STIXPackage
from stix.indicator import Indicator
from stix.indicator.valid_time import ValidTime

try:  # python-stix 1.2 (mixbox)
    from mixbox.idgen import set_id_namespace
    from mixbox.namespaces import Namespace
    set_id_namespace(Namespace("http://bastion.example", "example"))
except ImportError:  # python-stix 1.1.1
    from stix.utils import set_id_namespace
    set_id_namespace({"http://bastion.example": "example"})

version = "12" if stix.__version__.startswith("1.2") else "111"
out = os.path.dirname(os.path.abspath(__file__))
utc = datetime.timezone.utc
ALWAYS = (datetime.datetime(2020, 1, 1, tzinfo=utc), datetime.datetime(2099, 1, 1, tzinfo=utc))
ENDED = (datetime.datetime(2020, 1, 1, tzinfo=utc), datetime.datetime(2021, 1, 1, tzinfo=utc))


def address(value, category=Address.CAT_IPV4, condition="Equals"):
    result = Address(address_value=value, category=category)
    if condition:
        result.address_value.condition = condition
    return result


def indicator(name, observables, valid=None):
    result = Indicator(id_="example:indicator-" + name, title=name)
    for observable in observables:
        result.add_observable(observable)
    if valid:
        result.add_valid_time_position(ValidTime(start_time=valid[0], end_time=valid[1]))
    return result


def write(name, package):
    path = os.path.join(out, "stix%s-%s.xml" % (version, name))
    with open(path, "wb") as handle:
        xml = package.to_xml()
        handle.write(xml if isinstance(xml, bytes) else xml.encode("utf-8"))
    print("wrote " + path)


package = STIXPackage(id_="example:package-indicators")
package.add_indicator(indicator("ipv4", [address("198.51.100.7")], ALWAYS))
package.add_indicator(indicator("ipv6", [address("2001:db8::5", Address.CAT_IPV6)]))
package.add_indicator(indicator("cidr", [address("203.0.113.0/24", Address.CAT_CIDR)], ALWAYS))
listed = Address(category=Address.CAT_IPV4)
listed.address_value = ["192.0.2.10", "192.0.2.11"]
listed.address_value.condition = "Equals"
listed.address_value.apply_condition = "ANY"
package.add_indicator(indicator("any-list", [listed]))
package.add_indicator(indicator("expired", [address("198.51.100.99")], ENDED))
package.add_indicator(indicator("allow-listed", [address("10.1.2.3")]))
package.add_indicator(indicator("malformed", [address("999.1.1.1")]))
package.add_indicator(indicator("email", [EmailAddress("bad@example.com")]))
package.add_indicator(indicator("starts-with", [address("198.51.", condition="StartsWith")]))
composition = ObservableComposition(operator="OR")
composition.add(Observable(address("198.18.0.1")))
composition.add(Observable(address("198.18.0.2")))
package.add_indicator(indicator("composition", [Observable(composition)]))
package.add_observable(Observable(address("198.19.0.1")))
write("indicators", package)

revocation = STIXPackage(id_="example:package-revocation")
revocation.add_indicator(indicator("ipv4", [address("198.51.100.7")], ENDED))
write("revocation", revocation)
