/// The STIX 1.1 package `bastion taxii inbox` sends when no --content-file is given: one IP
/// watchlist indicator, written for Bastion.
enum BuiltInSTIX {
    static let document = """
    <stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" xmlns:indicator="http://stix.mitre.org/Indicator-2" \
    xmlns:cybox="http://cybox.mitre.org/cybox-2" xmlns:AddressObj="http://cybox.mitre.org/objects#AddressObject-2" \
    xmlns:stixVocabs="http://stix.mitre.org/default_vocabularies-1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
    xmlns:bastion="https://bastion.example/stix" id="bastion:Package-3c1e5a3e-6f7d-4c59-9d43-0b7f3b0d2a11" version="1.1">
        <stix:STIX_Header>
            <stix:Title>Bastion sample: an IP address watchlist</stix:Title>
            <stix:Package_Intent xsi:type="stixVocabs:PackageIntentVocab-1.0">Indicators - Watchlist</stix:Package_Intent>
        </stix:STIX_Header>
        <stix:Indicators>
            <stix:Indicator xsi:type="indicator:IndicatorType" id="bastion:Indicator-8a4f0e55-2b3c-4d6e-9f10-a1b2c3d4e5f6" timestamp="2024-01-01T00:00:00Z">
                <indicator:Title>Address seen scanning the perimeter</indicator:Title>
                <indicator:Type xsi:type="stixVocabs:IndicatorTypeVocab-1.1">IP Watchlist</indicator:Type>
                <indicator:Observable id="bastion:Observable-5d6e7f80-91a2-4b3c-8d4e-5f60718293a4">
                    <cybox:Object id="bastion:Address-0f1e2d3c-4b5a-4678-9a0b-1c2d3e4f5a6b">
                        <cybox:Properties xsi:type="AddressObj:AddressObjectType" category="ipv4-addr">
                            <AddressObj:Address_Value condition="Equals">198.51.100.23</AddressObj:Address_Value>
                        </cybox:Properties>
                    </cybox:Object>
                </indicator:Observable>
            </stix:Indicator>
        </stix:Indicators>
    </stix:STIX_Package>
    """
}
