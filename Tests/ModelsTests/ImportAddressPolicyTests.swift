import Testing

@testable import Models
@testable import Support

/// The import address check on literal addresses: nothing is connected to.
struct ImportAddressPolicyTests {
    static func refusal(_ text: String) -> String? {
        guard let bytes = IPAddress.parse(text) else { return "unparsed" }
        return ImportAddressPolicy.refusal(bytes)
    }

    @Test(arguments: [
        ("127.0.0.1", "loopback"), ("127.255.0.9", "loopback"), ("10.1.2.3", "private"), ("172.16.0.1", "private"),
        ("172.31.255.255", "private"), ("192.168.1.1", "private"), ("169.254.169.254", "metadata"), ("169.254.1.1", "link-local"),
        ("100.100.100.200", "metadata"), ("100.64.0.1", "shared"), ("0.0.0.0", "unspecified"), ("224.0.0.1", "multicast"),
        ("255.255.255.255", "reserved"), ("192.0.2.10", "reserved"),
    ])
    func refusesNonPublicIPv4(_ address: String, _ kind: String) {
        #expect(Self.refusal(address)?.contains(kind) == true, "\(address): \(Self.refusal(address) ?? "allowed")")
    }

    @Test(arguments: [
        ("::1", "loopback"), ("::", "unspecified"), ("fe80::1", "link-local"), ("fc00::1", "unique-local"), ("fd12:3456::1", "unique-local"),
        ("fd00:ec2::254", "metadata"), ("::ffff:127.0.0.1", "loopback"), ("::ffff:169.254.169.254", "metadata"),
        ("64:ff9b::a00:1", "private"), ("2002:a00:1::", "private"), ("2001:db8::1", "documentation"), ("ff02::1", "multicast"),
        ("fec0::1", "site-local"), ("2001:0:4136:e378::1", "Teredo"),
    ])
    func refusesNonPublicIPv6(_ address: String, _ kind: String) {
        #expect(Self.refusal(address)?.contains(kind) == true, "\(address): \(Self.refusal(address) ?? "allowed")")
    }

    @Test(arguments: ["8.8.8.8", "93.184.216.34", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2002:808:808::"])
    func allowsPublicAddresses(_ address: String) {
        #expect(Self.refusal(address) == nil, "\(address): \(Self.refusal(address) ?? "")")
    }

    @Test func urlsAreCheckedBeforeAnyConnection() throws {
        for url in [
            "http://127.0.0.1:8080/a.csv", "http://[::1]/a.csv", "http://169.254.169.254/latest/meta-data/",
            "http://localhost/a.csv", "http://[::ffff:10.0.0.1]/a.csv", "ftp://8.8.8.8/a.csv", "http://user:pw@8.8.8.8/a.csv",
            "file:///etc/passwd", "http:///a.csv",
        ] {
            #expect(throws: DatasetError.self, "\(url)") { try ImportAddressPolicy.target(url: url, allowPrivate: false) }
        }
        let allowed = try ImportAddressPolicy.target(url: "http://127.0.0.1:18093/a.csv", allowPrivate: true)
        #expect(allowed.port == 18093 && allowed.address == [127, 0, 0, 1])
        let public4 = try ImportAddressPolicy.target(url: "https://8.8.8.8/a.csv", allowPrivate: false)
        #expect(public4.port == 443 && public4.resolve == nil, "a literal address needs no pin")
        let named = try ImportAddressPolicy.target(url: "http://localhost:81/a.csv", allowPrivate: true)
        #expect(named.resolve == "localhost:81:" + (named.address.count == 4 ? "127.0.0.1" : "[::1]"))
    }

    /// The server's own addresses are refused on any port, public ones included (a literal
    /// at once; a name in the job, where it is resolved).
    @Test func theServersOwnAddressesAreRefusedOnAnyPort() throws {
        let own: Set<[UInt8]> = [[8, 8, 4, 4], [0x26, 0x06, 0x47, 0, 0x47, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x11]]
        #expect(ImportAddressPolicy.refusal([8, 8, 4, 4], local: own) == "an address of this server")
        #expect(ImportAddressPolicy.refusal(IPAddress.parse("::ffff:8.8.4.4")!, local: own) == "an address of this server")
        #expect(ImportAddressPolicy.refusal(IPAddress.parse("2606:4700:4700::1111")!, local: own) == "an address of this server")
        #expect(ImportAddressPolicy.refusal([8, 8, 8, 8], local: own) == nil)
        for port in [80, 443, 8443, 65_535] {
            #expect(throws: DatasetError.self) {
                try ImportAddressPolicy.target(url: "http://8.8.4.4:\(port)/a.csv", allowPrivate: false, local: own)
            }
        }
        // This machine's interfaces: loopback is always among them.
        let local = IPAddress.localAddresses()
        #expect(local.contains([127, 0, 0, 1]), "\(local.map(IPAddress.format))")
        for address in local where address.count == 4 {
            #expect(throws: DatasetError.self, "\(IPAddress.format(address))") {
                try ImportAddressPolicy.checkSyntax(url: "http://\(IPAddress.format(address)):12345/a.csv", allowPrivate: false)
            }
        }
    }

    /// The request's check resolves nothing: a name passes it (the job resolves it), a bad
    /// scheme, credentials or port do not.
    @Test func theSyntaxCheckResolvesNoName() throws {
        let checked = try ImportAddressPolicy.checkSyntax(url: "http://no-such-host.invalid:8080/a.csv", allowPrivate: false)
        #expect(checked.host == "no-such-host.invalid" && checked.port == 8080)
        #expect(try ImportAddressPolicy.checkSyntax(url: "https://localhost/a.csv", allowPrivate: false).port == 443)
        for url in ["ftp://example.com/a.csv", "http://u:p@example.com/a.csv", "http://example.com:0/a.csv", "http:///a.csv"] {
            #expect(throws: DatasetError.self, "\(url)") { try ImportAddressPolicy.checkSyntax(url: url, allowPrivate: false) }
        }
        #expect(throws: DatasetError.self) { try ImportAddressPolicy.target(url: "http://no-such-host.invalid/a.csv", allowPrivate: false) }
    }
}
