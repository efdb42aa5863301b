import X509

/// A certificate together with its private key, and both in PEM form.
///
/// The certificate PEM is a `CERTIFICATE` block; the key PEM is an unencrypted PKCS#8 `PRIVATE KEY`
/// block. Both end with a newline.
public struct IssuedCertificate: Sendable, Hashable {
    /// The certificate.
    public let certificate: Certificate
    /// The private key matching ``certificate``'s public key.
    public let privateKey: Certificate.PrivateKey
    /// ``certificate`` as a PEM `CERTIFICATE` block.
    public let certificatePEM: String
    /// ``privateKey`` as a PEM block (PKCS#8 `PRIVATE KEY` for the keys this module makes).
    public let privateKeyPEM: String

    /// Pairs a certificate with its private key.
    /// - Throws: ``PKIError/keyDoesNotMatchCertificate(certificatePath:keyPath:)`` when the key is not the
    ///   certificate's (the paths say "certificate" and "private key"), or
    ///   ``PKIError/certificateCreationFailed(reason:)`` when either cannot be serialized as PEM.
    public init(certificate: Certificate, privateKey: Certificate.PrivateKey) throws(PKIError) {
        guard privateKey.publicKey == certificate.publicKey else {
            throw .keyDoesNotMatchCertificate(certificatePath: "certificate", keyPath: "private key")
        }
        self.certificate = certificate
        self.privateKey = privateKey
        do {
            certificatePEM = try certificate.serializeAsPEM().pemString + "\n"
            privateKeyPEM = try privateKey.serializeAsPEM().pemString + "\n"
        } catch {
            throw .certificateCreationFailed(reason: "cannot encode as PEM: \(error)")
        }
    }

    /// Writes the certificate (mode 0644) and the private key (mode 0600) to two files.
    ///
    /// The key file is created with mode 0600, so it is never readable by others. The parent
    /// directories must exist.
    /// - Parameters:
    ///   - certificatePath: where the certificate goes.
    ///   - privateKeyPath: where the private key goes.
    ///   - overwrite: replace existing files (atomically, by rename); when false an existing file is an error
    ///     and neither file is written.
    /// - Throws: ``PKIError/fileExists(path:)`` or ``PKIError/cannotWrite(path:reason:)``.
    public func write(certificateTo certificatePath: String, privateKeyTo privateKeyPath: String, overwrite: Bool = false) throws(PKIError) {
        if !overwrite {
            for path in [certificatePath, privateKeyPath] where FileSystem.exists(path) {
                throw .fileExists(path: path)
            }
        }
        try FileSystem.write(Array(privateKeyPEM.utf8), to: privateKeyPath, mode: 0o600, overwrite: overwrite)
        try FileSystem.write(Array(certificatePEM.utf8), to: certificatePath, mode: 0o644, overwrite: overwrite)
    }

    /// Writes `NAME.pem` (certificate, 0644) and `NAME-key.pem` (private key, 0600) into `directory`,
    /// creating the directory with mode 0700 if it is missing.
    /// - Parameters:
    ///   - directory: the directory to write into.
    ///   - name: the base name of both files, such as `"client2"`.
    ///   - overwrite: replace existing files; when false an existing file is an error and nothing is written.
    /// - Returns: the paths of the certificate and of the private key.
    /// - Throws: ``PKIError``.
    @discardableResult
    public func write(toDirectory directory: String, name: String, overwrite: Bool = false) throws(PKIError) -> (certificate: String, privateKey: String) {
        try FileSystem.createDirectory(directory)
        let certificatePath = FileSystem.join(directory, "\(name).pem")
        let privateKeyPath = FileSystem.join(directory, "\(name)-key.pem")
        try write(certificateTo: certificatePath, privateKeyTo: privateKeyPath, overwrite: overwrite)
        return (certificatePath, privateKeyPath)
    }
}
