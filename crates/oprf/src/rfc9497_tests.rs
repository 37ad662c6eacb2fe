//! RFC 9497 Appendix A.1.2 (ristretto255-SHA512, VOPRF mode) through this crate's own code
//! paths, then round trips and the wrong-key and tampering cases.

use rand_core::{CryptoRng, RngCore};
use voprf::{Group, Ristretto255};

use crate::client::blind_deterministic;
use crate::epoch::take_output;
use crate::*;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn arr32(s: &str) -> [u8; 32] {
    hex(s).try_into().unwrap()
}

const SEED: &str = "a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3";
const KEY_INFO: &str = "74657374206b6579";
const SK: &str = "e6f73f344b79b379f1a0dd37e07ff62e38d9f71345ce62ae3a9bc60b04ccd909";
const PK: &str = "c803e2cc6b05fc15064549b5920659ca4a77b2cca6f04f6b357009335476ad4e";
const BLIND_1: &str = "64d37aed22a27f5191de1c1d69fadb899d8862b58eb4220029e036ec4c1f6706";
const INPUT_2: &str = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";
const OUT_1: &str = "b58cfbe118e0cb94d79b5fd6a6dafb98764dff49c14e1770b566e42402da1a7d\
                     a4d8527693914139caee5bd03903af43a491351d23b430948dd50cde10d32b3c";
const OUT_2: &str = "8a9a2f3c7f085b65933594309041fc1898d42d0858e59f90814ae90571a6df60\
                     356f4610bf816f27afdd84f47719e480906d27ecd994985890e5f539e7ea74b6";

struct Vector {
    inputs: Vec<Vec<u8>>,
    blinds: Vec<&'static str>,
    blinded: Vec<&'static str>,
    evaluated: Vec<&'static str>,
    proof: &'static str,
    proof_scalar: &'static str,
    outputs: Vec<&'static str>,
}

fn vectors() -> Vec<Vector> {
    vec![
        Vector {
            inputs: vec![vec![0]],
            blinds: vec![BLIND_1],
            blinded: vec!["863f330cc1a1259ed5a5998a23acfd37fb4351a793a5b3c090b642ddc439b945"],
            evaluated: vec!["aa8fa048764d5623868679402ff6108d2521884fa138cd7f9c7669a9a014267e"],
            proof: "ddef93772692e535d1a53903db24367355cc2cc78de93b3be5a8ffcc6985dd06\
                    6d4346421d17bf5117a2a1ff0fcb2a759f58a539dfbe857a40bce4cf49ec600d",
            proof_scalar: "222a5e897cf59db8145db8d16e597e8facb80ae7d4e26d9881aa6f61d645fc0e",
            outputs: vec![OUT_1],
        },
        Vector {
            inputs: vec![hex(INPUT_2)],
            blinds: vec![BLIND_1],
            blinded: vec!["cc0b2a350101881d8a4cba4c80241d74fb7dcbfde4a61fde2f91443c2bf9ef0c"],
            evaluated: vec!["60a59a57208d48aca71e9e850d22674b611f752bed48b36f7a91b372bd7ad468"],
            proof: "401a0da6264f8cf45bb2f5264bc31e109155600babb3cd4e5af7d181a2c9dc0a\
                    67154fabf031fd936051dec80b0b6ae29c9503493dde7393b722eafdf5a50b02",
            proof_scalar: "222a5e897cf59db8145db8d16e597e8facb80ae7d4e26d9881aa6f61d645fc0e",
            outputs: vec![OUT_2],
        },
        Vector {
            inputs: vec![vec![0], hex(INPUT_2)],
            blinds: vec![
                BLIND_1,
                "222a5e897cf59db8145db8d16e597e8facb80ae7d4e26d9881aa6f61d645fc0e",
            ],
            blinded: vec![
                "863f330cc1a1259ed5a5998a23acfd37fb4351a793a5b3c090b642ddc439b945",
                "90a0145ea9da29254c3a56be4fe185465ebb3bf2a1801f7124bbbadac751e654",
            ],
            evaluated: vec![
                "aa8fa048764d5623868679402ff6108d2521884fa138cd7f9c7669a9a014267e",
                "cc5ac221950a49ceaa73c8db41b82c20372a4c8d63e5dded2db920b7eee36a2a",
            ],
            proof: "cc203910175d786927eeb44ea847328047892ddf8590e723c37205cb74600b0a\
                    5ab5337c8eb4ceae0494c2cf89529dcf94572ed267473d567aeed6ab873dee08",
            proof_scalar: "419c4f4f5052c53c45f3da494d2b67b220d02118e0857cdbcf037f9ea84bbe0c",
            outputs: vec![OUT_1, OUT_2],
        },
    ]
}

/// Yields the proof's random scalar: `Scalar::random` reads 64 bytes and reduces them, so
/// the scalar then zeros gives the scalar itself.
struct FixedScalar([u8; 32]);

impl RngCore for FixedScalar {
    fn next_u32(&mut self) -> u32 {
        unreachable!()
    }
    fn next_u64(&mut self) -> u64 {
        unreachable!()
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        dest.fill(0);
        dest[..32].copy_from_slice(&self.0);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
impl CryptoRng for FixedScalar {}

fn rfc_key() -> EpochKey {
    EpochKey::from_seed(&hex(SEED), &hex(KEY_INFO), 0).unwrap()
}

#[test]
fn rfc9497_a12_derive_key_pair() {
    let key = rfc_key();
    assert_eq!(key.public_key().0, arr32(PK));
    assert_eq!(key.server.serialize()[..32], hex(SK)[..]);
}

#[test]
fn rfc9497_a12_blind_evaluate_prove_finalize_and_direct_evaluate() {
    let key = rfc_key();
    let pk = key.public_key();
    for (n, v) in vectors().iter().enumerate() {
        let inputs: Vec<&[u8]> = v.inputs.iter().map(Vec::as_slice).collect();
        let blinds: Vec<[u8; 32]> = v.blinds.iter().map(|b| arr32(b)).collect();
        let (states, elements) = blind_deterministic(&inputs, &blinds);
        let want: Vec<BlindedElement> =
            v.blinded.iter().map(|b| BlindedElement(arr32(b))).collect();
        assert_eq!(elements, want, "vector {n}: blinded elements");

        // The server's evaluation and proof, with the vector's proof nonce.
        let decoded: Vec<_> = elements
            .iter()
            .map(|e| voprf::BlindedElement::<Ristretto255>::deserialize(&e.0).unwrap())
            .collect();
        let prepared: Vec<_> = key
            .server
            .batch_blind_evaluate_prepare(decoded.iter())
            .collect();
        let mut rng = FixedScalar(arr32(v.proof_scalar));
        let finished = key
            .server
            .batch_blind_evaluate_finish(&mut rng, decoded.iter(), &prepared)
            .unwrap();
        let evaluated: Vec<[u8; 32]> = finished
            .messages
            .map(|m| <[u8; 32]>::try_from(&m.serialize()[..]).unwrap())
            .collect();
        let want: Vec<[u8; 32]> = v.evaluated.iter().map(|e| arr32(e)).collect();
        assert_eq!(evaluated, want, "vector {n}: evaluated elements");
        assert_eq!(
            &finished.proof.serialize()[..],
            hex(v.proof),
            "vector {n}: proof"
        );

        // The crate's own random-nonce path gives the same elements (the proof differs).
        let ours = key.blind_evaluate(&elements).unwrap();
        assert_eq!(ours.chunks.len(), 1);
        assert_eq!(ours.chunks[0].elements, want, "vector {n}: blind_evaluate");

        // The crate's finalize over the RFC's answer: verifies, and gives the outputs.
        let batch = EvaluatedBatch {
            chunks: vec![EvaluatedChunk {
                elements: want,
                proof: hex(v.proof).try_into().unwrap(),
            }],
        };
        let outputs = states.finalize(&inputs, &batch, &pk).unwrap();
        let want: Vec<Output> = v
            .outputs
            .iter()
            .map(|o| Output(hex(o).try_into().unwrap()))
            .collect();
        assert_eq!(outputs, want, "vector {n}: finalize");
        assert_eq!(key.evaluate(&inputs).unwrap(), want, "vector {n}: evaluate");
    }
}

fn inputs(n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            oprf_input(
                leakmatch_hashing::TokenKind::Msisdn,
                format!("92300{i:07}").as_bytes(),
            )
        })
        .collect()
}

#[test]
fn round_trip_across_several_proof_chunks_equals_direct_evaluation() {
    let key = EpochKey::derive(&MasterSecret::from_bytes([9; 32]), 7).unwrap();
    let owned = inputs(2 * PROOF_BATCH + 3);
    let ins: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
    let (states, elements) = blind(&ins).unwrap();
    assert_eq!(states.len(), ins.len());
    let answer = key.blind_evaluate(&elements).unwrap();
    let sizes: Vec<usize> = answer.chunks.iter().map(|c| c.elements.len()).collect();
    assert_eq!(sizes, [PROOF_BATCH, PROOF_BATCH, 3]);
    let outputs = states.finalize(&ins, &answer, &key.public_key()).unwrap();
    assert_eq!(outputs, key.evaluate(&ins).unwrap());
    // Fresh blinds every time: the same inputs give other elements, the same outputs.
    let (states2, elements2) = blind(&ins).unwrap();
    assert_ne!(elements, elements2);
    let again = states2
        .finalize(
            &ins,
            &key.blind_evaluate(&elements2).unwrap(),
            &key.public_key(),
        )
        .unwrap();
    assert_eq!(again, outputs);
}

#[test]
fn epochs_and_masters_give_unrelated_keys() {
    let m = MasterSecret::from_bytes([1; 32]);
    let a = EpochKey::derive(&m, 1).unwrap();
    let b = EpochKey::derive(&m, 2).unwrap();
    let c = EpochKey::derive(&MasterSecret::from_bytes([2; 32]), 1).unwrap();
    assert_eq!(a.epoch(), 1);
    assert_eq!(
        a.public_key(),
        EpochKey::derive(&m, 1).unwrap().public_key()
    );
    assert_ne!(a.public_key(), b.public_key());
    assert_ne!(a.public_key(), c.public_key());
    let x = oprf_input(leakmatch_hashing::TokenKind::Cnic, b"3520212345671");
    let x = [x.as_slice()];
    assert_ne!(a.evaluate(&x).unwrap(), b.evaluate(&x).unwrap());
}

#[test]
fn a_server_answering_with_another_key_is_detected() {
    let m = MasterSecret::from_bytes([3; 32]);
    let published = EpochKey::derive(&m, 1).unwrap();
    let per_client = EpochKey::derive(&MasterSecret::from_bytes([4; 32]), 1).unwrap();
    let owned = inputs(PROOF_BATCH + 5);
    let ins: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
    // Whole answer under another key.
    let (states, elements) = blind(&ins).unwrap();
    let forged = per_client.blind_evaluate(&elements).unwrap();
    let err = states
        .finalize(&ins, &forged, &published.public_key())
        .unwrap_err();
    assert!(matches!(err, OprfError::ProofInvalid { .. }), "{err}");
    // The other key's own public key with it: consistent, but not the published key.
    let (states, elements) = blind(&ins).unwrap();
    let forged = per_client.blind_evaluate(&elements).unwrap();
    assert!(states
        .finalize(&ins, &forged, &per_client.public_key())
        .is_ok());
    // One chunk of two swapped for another key's answer (same elements, its proof).
    let (states, elements) = blind(&ins).unwrap();
    let mut mixed = published.blind_evaluate(&elements).unwrap();
    mixed.chunks[1] = per_client
        .blind_evaluate(&elements[PROOF_BATCH..])
        .unwrap()
        .chunks[0]
        .clone();
    let err = states
        .finalize(&ins, &mixed, &published.public_key())
        .unwrap_err();
    assert!(matches!(err, OprfError::ProofInvalid { chunk: 1 }), "{err}");
}

#[test]
fn tampered_answers_are_refused_without_outputs() {
    let key = EpochKey::derive(&MasterSecret::from_bytes([5; 32]), 1).unwrap();
    let pk = key.public_key();
    let owned = inputs(4);
    let ins: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
    let fresh = || {
        let (s, e) = blind(&ins).unwrap();
        let a = key.blind_evaluate(&e).unwrap();
        (s, e, a)
    };
    // Two elements swapped: the proof no longer covers them.
    let (s, _, mut a) = fresh();
    a.chunks[0].elements.swap(0, 1);
    assert!(matches!(
        s.finalize(&ins, &a, &pk),
        Err(OprfError::ProofInvalid { chunk: 0 })
    ));
    // A bit flipped in the proof.
    let (s, _, mut a) = fresh();
    a.chunks[0].proof[3] ^= 1;
    assert!(matches!(
        s.finalize(&ins, &a, &pk),
        Err(OprfError::ProofInvalid { chunk: 0 })
    ));
    // An element that is not a group element.
    let (s, _, mut a) = fresh();
    a.chunks[0].elements[2] = [0xff; 32];
    assert!(matches!(
        s.finalize(&ins, &a, &pk),
        Err(OprfError::MalformedElement { index: 2 })
    ));
    // An element dropped; an empty chunk; inputs of another length; an invalid key.
    let (s, _, mut a) = fresh();
    a.chunks[0].elements.pop();
    assert!(matches!(
        s.finalize(&ins, &a, &pk),
        Err(OprfError::BatchMismatch { .. })
    ));
    let (s, _, mut a) = fresh();
    a.chunks.push(EvaluatedChunk {
        elements: vec![],
        proof: [0; 64],
    });
    assert!(matches!(
        s.finalize(&ins, &a, &pk),
        Err(OprfError::BatchMismatch { .. })
    ));
    let (s, _, a) = fresh();
    assert!(matches!(
        s.finalize(&ins[1..], &a, &pk),
        Err(OprfError::BatchMismatch { .. })
    ));
    let (s, _, a) = fresh();
    let bad = PublicKey([0xff; 32]);
    assert!(matches!(
        s.finalize(&ins, &a, &bad),
        Err(OprfError::InvalidPublicKey)
    ));
    // Re-chunked by the server in other sizes: still verifies when each proof is honest.
    let (s, e, _) = fresh();
    let mut two = key.blind_evaluate(&e[..1]).unwrap();
    two.chunks
        .extend(key.blind_evaluate(&e[1..]).unwrap().chunks);
    assert_eq!(
        s.finalize(&ins, &two, &pk).unwrap(),
        key.evaluate(&ins).unwrap()
    );
}

#[test]
fn server_refuses_malformed_and_identity_elements_before_evaluating() {
    let key = EpochKey::derive(&MasterSecret::from_bytes([6; 32]), 1).unwrap();
    let owned = inputs(3);
    let ins: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
    let (_, mut elements) = blind(&ins).unwrap();
    elements[1] = BlindedElement([0; 32]); // the identity
    assert!(matches!(
        key.blind_evaluate(&elements),
        Err(OprfError::MalformedElement { index: 1 })
    ));
    elements[1] = BlindedElement([0xff; 32]);
    assert!(matches!(
        key.blind_evaluate(&elements),
        Err(OprfError::MalformedElement { index: 1 })
    ));
    assert!(key.blind_evaluate(&[]).unwrap().is_empty());
    let long = vec![7u8; 65536];
    let two: [&[u8]; 2] = [ins[0], &long];
    assert!(matches!(
        key.evaluate(&two),
        Err(OprfError::Input { index: 1 })
    ));
    assert!(matches!(blind(&two), Err(OprfError::Input { index: 1 })));
    let (s, e) = blind(&[]).unwrap();
    assert!(s.is_empty() && e.is_empty());
    assert!(s
        .finalize(&[], &EvaluatedBatch::default(), &key.public_key())
        .unwrap()
        .is_empty());
}

#[test]
fn no_debug_output_shows_secret_bytes() {
    let master = MasterSecret::from_bytes([0xab; 32]);
    let key = EpochKey::derive(&master, 3).unwrap();
    let sk_hex: String = key.server.serialize()[..32]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let owned = inputs(2);
    let ins: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
    let (states, elements) = blind(&ins).unwrap();
    let blind_hex: Vec<String> = states
        .states
        .iter()
        .map(|s| {
            s.serialize()[..32]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        })
        .collect();
    let answer = key.blind_evaluate(&elements).unwrap();
    let outputs = key.evaluate(&ins).unwrap();
    let out_hex: String = outputs[0].0[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let all = format!("{master:?} {key:?} {states:?} {outputs:?} {answer:?}");
    assert!(!all.contains("abab"), "{all}");
    assert!(!all.contains(&sk_hex[..16]), "{all}");
    for b in &blind_hex {
        assert!(!all.contains(&b[..16]), "{all}");
    }
    assert!(!all.contains(&out_hex), "{all}");
    assert!(all.contains(&key.public_key().to_string()), "{all}");
    assert!(all.contains("EpochKey(epoch 3"), "{all}");
    let mut o = outputs[0].clone();
    let mut raw = o.0;
    let wiped = take_output(&mut raw);
    assert_eq!(wiped, o);
    assert_eq!(raw, [0; 64]);
    zeroize::Zeroize::zeroize(&mut o);
    assert_eq!(o.0, [0; 64]);
    let _ = Ristretto255::base_elem();
}
