//! msgpack, the encoding of every value Terraform sends and receives.
//! Decoding checks each length against the bytes left and bounds nesting.

use std::collections::BTreeMap;

use rmp::Marker;

use super::{complete_object, DecodeError, Type, Value, MAX_DEPTH};

impl Value {
    pub fn from_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
        let mut r = Reader { buf: bytes, pos: 0 };
        let v = r.value(ty, 0)?;
        if r.pos != bytes.len() {
            return Err(DecodeError::Trailing(bytes.len() - r.pos));
        }
        Ok(v)
    }

    pub fn to_msgpack(&self, ty: &Type) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        write_value(&mut out, self, ty);
        out
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).ok_or(DecodeError::Eof)?;
        let s = self.buf.get(self.pos..end).ok_or(DecodeError::Eof)?;
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }
    fn be<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    fn len_of(&mut self, m: Marker) -> Result<Option<usize>, DecodeError> {
        Ok(Some(match m {
            Marker::FixStr(n) | Marker::FixArray(n) | Marker::FixMap(n) => n as usize,
            Marker::Str8 | Marker::Bin8 => self.u8()? as usize,
            Marker::Str16 | Marker::Bin16 | Marker::Array16 | Marker::Map16 => u16::from_be_bytes(self.be()?) as usize,
            Marker::Str32 | Marker::Bin32 | Marker::Array32 | Marker::Map32 => u32::from_be_bytes(self.be()?) as usize,
            _ => return Ok(None),
        }))
    }
    fn mismatch(&self, expected: &str, m: Marker) -> DecodeError {
        DecodeError::Mismatch { expected: expected.into(), found: format!("{m:?}") }
    }
    /// A string, borrowed from the input.
    fn str_body(&mut self, m: Marker) -> Result<&'a str, DecodeError> {
        let n = self.len_of(m)?.ok_or_else(|| self.mismatch("string", m))?;
        std::str::from_utf8(self.take(n)?).map_err(|_| DecodeError::Utf8)
    }
    fn string_body(&mut self, m: Marker) -> Result<String, DecodeError> {
        self.str_body(m).map(str::to_owned)
    }
    fn skip_ext(&mut self, m: Marker) -> Result<(), DecodeError> {
        let n = match m {
            Marker::FixExt1 => 1,
            Marker::FixExt2 => 2,
            Marker::FixExt4 => 4,
            Marker::FixExt8 => 8,
            Marker::FixExt16 => 16,
            Marker::Ext8 => self.u8()? as usize,
            Marker::Ext16 => u16::from_be_bytes(self.be()?) as usize,
            Marker::Ext32 => u32::from_be_bytes(self.be()?) as usize,
            other => return Err(self.mismatch("extension", other)),
        };
        self.take(1 + n)?; // type byte + payload (refinements are ignored)
        Ok(())
    }
    fn number(&mut self, m: Marker) -> Result<f64, DecodeError> {
        Ok(match m {
            Marker::FixPos(n) => n as f64,
            Marker::FixNeg(n) => n as f64,
            Marker::U8 => self.u8()? as f64,
            Marker::U16 => u16::from_be_bytes(self.be()?) as f64,
            Marker::U32 => u32::from_be_bytes(self.be()?) as f64,
            Marker::U64 => u64::from_be_bytes(self.be()?) as f64,
            Marker::I8 => i8::from_be_bytes(self.be()?) as f64,
            Marker::I16 => i16::from_be_bytes(self.be()?) as f64,
            Marker::I32 => i32::from_be_bytes(self.be()?) as f64,
            Marker::I64 => i64::from_be_bytes(self.be()?) as f64,
            Marker::F32 => f32::from_be_bytes(self.be()?) as f64,
            Marker::F64 => f64::from_be_bytes(self.be()?),
            Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32 => {
                let s = self.string_body(m)?;
                s.parse().map_err(|_| DecodeError::Mismatch {
                    expected: "number".into(),
                    found: "a non-numeric string".into(),
                })?
            }
            other => return Err(self.mismatch("number", other)),
        })
    }

    fn value(&mut self, ty: &Type, depth: usize) -> Result<Value, DecodeError> {
        if depth > MAX_DEPTH {
            return Err(DecodeError::TooDeep);
        }
        let m = Marker::from_u8(self.u8()?);
        match m {
            Marker::Null => return Ok(Value::Null),
            Marker::FixExt1
            | Marker::FixExt2
            | Marker::FixExt4
            | Marker::FixExt8
            | Marker::FixExt16
            | Marker::Ext8
            | Marker::Ext16
            | Marker::Ext32 => {
                self.skip_ext(m)?;
                return Ok(Value::Unknown);
            }
            _ => {}
        }
        match ty {
            Type::Bool => match m {
                Marker::True => Ok(Value::Bool(true)),
                Marker::False => Ok(Value::Bool(false)),
                other => Err(self.mismatch("bool", other)),
            },
            Type::Number => Ok(Value::Number(self.number(m)?)),
            Type::String => Ok(Value::String(self.string_body(m)?)),
            Type::List(t) | Type::Set(t) => {
                let n = self.array_len(m)?;
                let mut v = Vec::with_capacity(n.min(self.buf.len() - self.pos));
                for _ in 0..n {
                    v.push(self.value(t, depth + 1)?);
                }
                Ok(Value::List(v))
            }
            Type::Tuple(ts) => {
                let n = self.array_len(m)?;
                if n != ts.len() {
                    return Err(self.mismatch(&format!("tuple of {}", ts.len()), m));
                }
                let mut v = Vec::with_capacity(n);
                for t in ts {
                    v.push(self.value(t, depth + 1)?);
                }
                Ok(Value::List(v))
            }
            Type::Map(t) => {
                let n = self.map_len(m)?;
                let mut out = BTreeMap::new();
                for _ in 0..n {
                    let km = Marker::from_u8(self.u8()?);
                    let k = self.string_body(km)?;
                    out.insert(k, self.value(t, depth + 1)?);
                }
                Ok(Value::Map(out))
            }
            Type::Object(attrs) => {
                // Terraform sends every attribute, in order: collect them and
                // build the map in one pass (the keys come from the schema).
                let n = self.map_len(m)?;
                let mut fields = Vec::with_capacity(attrs.len());
                for _ in 0..n {
                    let km = Marker::from_u8(self.u8()?);
                    let k = self.str_body(km)?;
                    let (name, t) =
                        attrs.get_key_value(k).ok_or_else(|| DecodeError::UnknownAttribute(k.to_owned()))?;
                    fields.push((name.clone(), self.value(t, depth + 1)?));
                }
                Ok(complete_object(BTreeMap::from_iter(fields), attrs))
            }
            Type::Dynamic => {
                // [type as JSON bytes, value]
                if self.array_len(m)? != 2 {
                    return Err(self.mismatch("dynamic pair", m));
                }
                let tm = Marker::from_u8(self.u8()?);
                let n = self.len_of(tm)?.ok_or_else(|| self.mismatch("type bytes", tm))?;
                let tj: serde_json::Value =
                    serde_json::from_slice(self.take(n)?).map_err(|e| DecodeError::Json(e.to_string()))?;
                let t = Type::from_json(&tj)?;
                self.value(&t, depth + 1)
            }
        }
    }
    fn array_len(&mut self, m: Marker) -> Result<usize, DecodeError> {
        match m {
            Marker::FixArray(_) | Marker::Array16 | Marker::Array32 => {
                self.len_of(m)?.ok_or_else(|| self.mismatch("array", m))
            }
            other => Err(self.mismatch("array", other)),
        }
    }
    fn map_len(&mut self, m: Marker) -> Result<usize, DecodeError> {
        match m {
            Marker::FixMap(_) | Marker::Map16 | Marker::Map32 => self.len_of(m)?.ok_or_else(|| self.mismatch("map", m)),
            other => Err(self.mismatch("map", other)),
        }
    }
}

fn write_value(out: &mut Vec<u8>, v: &Value, ty: &Type) {
    use rmp::encode as e;
    // Writing to a Vec cannot fail; the Results below are infallible.
    match (v, ty) {
        (Value::Null, _) => {
            let _ = e::write_nil(out);
        }
        // Wholly unknown: extension 0 with a single zero byte.
        (Value::Unknown, _) => {
            out.extend_from_slice(&[0xd4, 0x00, 0x00]);
        }
        (Value::Bool(b), _) => {
            let _ = e::write_bool(out, *b);
        }
        (Value::Number(n), _) => {
            if n.fract() == 0.0 && n.abs() < 9.0e18 {
                let _ = e::write_sint(out, *n as i64);
            } else {
                let _ = e::write_f64(out, *n);
            }
        }
        (Value::String(s), _) => {
            let _ = e::write_str(out, s);
        }
        (Value::List(items), ty) => {
            let _ = e::write_array_len(out, items.len() as u32);
            for (i, item) in items.iter().enumerate() {
                let t = match ty {
                    Type::List(t) | Type::Set(t) => t.as_ref(),
                    Type::Tuple(ts) => ts.get(i).unwrap_or(&Type::Dynamic),
                    _ => &Type::Dynamic,
                };
                write_value(out, item, t);
            }
        }
        (Value::Map(m), ty) => {
            let t = match ty {
                Type::Map(t) => t.as_ref(),
                _ => &Type::Dynamic,
            };
            let _ = e::write_map_len(out, m.len() as u32);
            for (k, item) in m {
                let _ = e::write_str(out, k);
                write_value(out, item, t);
            }
        }
        (Value::Object(m), Type::Object(attrs)) => {
            // Exactly the schema's attributes, missing ones as null.
            let _ = e::write_map_len(out, attrs.len() as u32);
            for (k, t) in attrs {
                let _ = e::write_str(out, k);
                write_value(out, m.get(k).unwrap_or(&Value::Null), t);
            }
        }
        (Value::Object(m), _) => {
            let _ = e::write_map_len(out, m.len() as u32);
            for (k, item) in m {
                let _ = e::write_str(out, k);
                write_value(out, item, &Type::Dynamic);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn msgpack_round_trip_with_null_and_unknown() {
        let ty = super::super::test_type();
        let mut v = Value::null_object(&ty);
        v.set("name", Value::string("x"));
        v.set("ok", Value::Unknown);
        v.set("tags", Value::List(vec![Value::string("a"), Value::Unknown]));
        let mut b = Value::null_object(match &ty {
            Type::Object(a) => &a["basic"],
            _ => unreachable!(),
        });
        b.set("n", Value::Number(-3.5));
        b.set("email", Value::string("e@x"));
        v.set("basic", b);
        let bytes = v.to_msgpack(&ty);
        assert_eq!(Value::from_msgpack(&bytes, &ty).unwrap(), v);
    }

    #[test]
    fn refined_unknown_is_unknown() {
        // ext 12 carrying a refinement map {1: false} (not null)
        let bytes = [0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2];
        assert_eq!(Value::from_msgpack(&bytes, &Type::String).unwrap(), Value::Unknown);
    }

    #[test]
    fn big_number_as_string() {
        let mut out = Vec::new();
        rmp::encode::write_str(&mut out, "12345678901234567890").unwrap();
        assert_eq!(Value::from_msgpack(&out, &Type::Number).unwrap(), Value::Number(12345678901234567890.0));
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let mut t = Type::String;
        for _ in 0..200 {
            t = Type::List(Box::new(t));
        }
        let bytes = vec![0x91; 200];
        assert_eq!(Value::from_msgpack(&bytes, &t), Err(DecodeError::TooDeep));
    }

    #[test]
    fn huge_declared_length_does_not_allocate() {
        // array32 claiming 4 billion elements, then nothing
        let bytes = [0xdd, 0xff, 0xff, 0xff, 0xff];
        let t = Type::List(Box::new(Type::String));
        assert_eq!(Value::from_msgpack(&bytes, &t), Err(DecodeError::Eof));
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = Value::from_msgpack(&bytes, &super::super::test_type());
            let _ = Value::from_msgpack(&bytes, &Type::Dynamic);
            let _ = Value::from_json_bytes(&bytes, &super::super::test_type());
        }

        #[test]
        fn truncated_valid_input_is_an_error(cut in 0usize..40) {
            let ty = super::super::test_type();
            let mut v = Value::null_object(&ty);
            v.set("name", Value::string("credential name"));
            v.set("tags", Value::List(vec![Value::string("a"), Value::string("b")]));
            let bytes = v.to_msgpack(&ty);
            let cut = cut.min(bytes.len() - 1);
            prop_assert!(Value::from_msgpack(&bytes[..cut], &ty).is_err());
        }
    }
}
