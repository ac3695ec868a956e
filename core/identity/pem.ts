// PEM text split into its certificates: light enough for the config validator, which must not load @peculiar/x509.

/** Every certificate of a PEM text, in file order, each ending with a newline (so they concatenate into a valid chain). */
export function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)?.map((c) => `${c}\n`) ?? [];
}
