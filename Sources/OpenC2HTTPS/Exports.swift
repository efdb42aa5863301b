/// ``TLSPolicy`` moved to `BastionTLS` so the TAXII client shares it; OpenC2HTTPS users keep seeing it.
@_exported import BastionTLS
