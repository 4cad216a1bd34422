/// About 250 schemas across the keywords the grammar compiler supports, built from small
/// families and then nested inside arrays, objects and unions.
enum SchemaCorpus {
    static let strings: [String] = {
        var result = [#"{"type":"string"}"#, #"{"type":"string","minLength":1}"#, #"{"type":"string","maxLength":0}"#]
        for (low, high) in [(0, 1), (1, 3), (2, 2), (3, 8), (0, 5)] {
            result.append(#"{"type":"string","minLength":\#(low),"maxLength":\#(high)}"#)
        }
        let patterns = [#"^[a-z]+$"#, #"^\\d{3}-\\d{4}$"#, #"^(foo|bar)+$"#, #"abc"#, #"^[A-Z][a-z]*( [A-Z][a-z]*)*$"#,
                        #"^\"quoted\"$"#, #"^[^\"\\\\]{2,5}$"#, #"^a\\\\b$"#, #"^[éü€😀]+$"#, #"^x?y*z$"#,
                        #"^(a|b|c){1,3}\\.(d|e)$"#, #"^[0-9a-f]{4}$"#, #"\\s"#, #"^\\w+@\\w+$"#, #"^[\\u0100-\\u017f]{1,4}$"#]
        result += patterns.map { #"{"type":"string","pattern":"\#($0)"}"# }
        result += ["date", "time", "date-time", "email", "uuid", "uri", "ipv4", "ipv6", "hostname"].map { #"{"type":"string","format":"\#($0)"}"# }
        return result
    }()

    static let numbers: [String] = [
        #"{"type":"integer"}"#, #"{"type":"integer","minimum":0}"#, #"{"type":"integer","minimum":1}"#,
        #"{"type":"integer","maximum":-1}"#, #"{"type":"integer","minimum":0,"maximum":10}"#,
        #"{"type":"integer","minimum":-5,"maximum":5}"#, #"{"type":"integer","exclusiveMinimum":0,"exclusiveMaximum":40}"#,
        #"{"type":"integer","minimum":100,"maximum":163}"#, #"{"type":"integer","exclusiveMinimum":-1}"#,
        #"{"type":"number"}"#, #"{"type":"number","minimum":0}"#, #"{"type":"number","minimum":0.0}"#,
        #"{"type":"integer","minimum":7,"maximum":7}"#, #"{"type":"integer","maximum":0,"minimum":-63}"#,
        #"{"type":"number","minimum":0,"maximum":1}"#, #"{"type":"number","minimum":0.5,"maximum":2.25}"#,
        #"{"type":"number","exclusiveMinimum":0}"#, #"{"type":"number","minimum":-3.75,"exclusiveMaximum":12.5}"#,
        #"{"type":"number","exclusiveMinimum":-1,"exclusiveMaximum":-0.125}"#, #"{"type":"number","maximum":-1000.5}"#,
    ]

    static let literals: [String] = [
        #"{"type":"null"}"#, #"{"type":"boolean"}"#, #"{"const":"fixed"}"#, #"{"const":{"a":[1,2,{"b":null}]}}"#,
        #"{"enum":["red","green","blue"]}"#, #"{"enum":[1,2.5,"x",null,true,[1],{"k":"v"}]}"#,
        #"{"type":["string","null"]}"#, #"{"type":["integer","boolean"]}"#, #"{"const":"with \"quote\" and \\ and \n"}"#,
        #"{"enum":["é","😀","a\u0001b"]}"#, "true", "{}", #"{"type":["number","integer","null"]}"#,
    ]

    static let arrays: [String] = [
        #"{"type":"array","items":{"type":"integer"}}"#, #"{"type":"array","items":{"type":"string"},"minItems":1}"#,
        #"{"type":"array","items":{"type":"boolean"},"maxItems":2}"#, #"{"type":"array","items":{"type":"null"},"minItems":2,"maxItems":4}"#,
        #"{"type":"array","items":{"type":"integer"},"minItems":3,"maxItems":3}"#, #"{"type":"array"}"#,
        #"{"type":"array","prefixItems":[{"type":"string"},{"type":"integer"}]}"#,
        #"{"type":"array","prefixItems":[{"type":"string"},{"type":"integer"}],"minItems":2}"#,
        #"{"type":"array","prefixItems":[{"const":"head"}],"items":{"type":"number"},"minItems":1,"maxItems":4}"#,
        #"{"type":"array","prefixItems":[{"type":"boolean"},{"type":"boolean"},{"type":"boolean"}],"maxItems":2}"#,
        #"{"type":"array","items":{"type":"array","items":{"type":"integer","minimum":0},"maxItems":2},"maxItems":3}"#,
        #"{"type":"array","prefixItems":[{"type":"integer"}],"items":false}"#,
        #"{"type":"array","items":{"enum":["a","b"]},"minItems":0,"maxItems":0}"#,
    ]

    static let objects: [String] = [
        #"{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}"#,
        #"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}}}"#,
        #"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"},"c":{"type":"boolean"}},"required":["b"]}"#,
        #"{"type":"object","properties":{"a":{"type":"null"},"b":{"type":"null"},"c":{"type":"null"}},"required":["a","c"]}"#,
        #"{"type":"object","properties":{"x":{"type":"number"}},"required":["x","y"]}"#,
        #"{"type":"object"}"#, #"{"type":"object","additionalProperties":false,"properties":{"only":{"const":1}}}"#,
        #"{"type":"object","additionalProperties":{"type":"integer"}}"#,
        #"{"type":"object","additionalProperties":{"type":"string"},"minProperties":1,"maxProperties":3}"#,
        #"{"type":"object","properties":{"quote\"key":{"type":"integer"},"ünï":{"type":"string"}},"required":["quote\"key","ünï"]}"#,
        #"{"type":"object","properties":{"nested":{"type":"object","properties":{"deep":{"type":"array","items":{"type":"string","maxLength":3}}},"required":["deep"]}},"required":["nested"]}"#,
        #"{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"},"c":{"type":"integer"},"d":{"type":"integer"},"e":{"type":"integer"}}}"#,
    ]

    static let combinators: [String] = [
        #"{"anyOf":[{"type":"string"},{"type":"integer"}]}"#,
        #"{"anyOf":[{"type":"string","maxLength":2},{"type":"null"}],"default":null,"title":"Optional"}"#,
        #"{"oneOf":[{"type":"object","properties":{"kind":{"const":"a"},"x":{"type":"integer"}},"required":["kind","x"]},{"type":"object","properties":{"kind":{"const":"b"},"y":{"type":"string"}},"required":["kind"]}]}"#,
        #"{"allOf":[{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]},{"properties":{"b":{"type":"string"}},"required":["b"]}]}"#,
        #"{"allOf":[{"type":"integer"},{"minimum":0},{"maximum":20}]}"#,
        #"{"allOf":[{"type":"string"},{"minLength":2},{"maxLength":4}]}"#,
        #"{"type":"object","properties":{"v":{"type":"integer"}},"required":["v"],"anyOf":[{"properties":{"w":{"type":"boolean"}}},{"properties":{"z":{"type":"null"}},"required":["z"]}]}"#,
        ##"{"$defs":{"pos":{"type":"integer","minimum":1}},"type":"array","items":{"$ref":"#/$defs/pos"}}"##,
        ##"{"$defs":{"node":{"type":"object","properties":{"value":{"type":"integer"},"children":{"type":"array","items":{"$ref":"#/$defs/node"},"maxItems":2}},"required":["value"]}},"$ref":"#/$defs/node"}"##,
        ##"{"$defs":{"list":{"anyOf":[{"type":"null"},{"type":"object","properties":{"head":{"type":"string"},"tail":{"$ref":"#/$defs/list"}},"required":["head","tail"]}]}},"$ref":"#/$defs/list"}"##,
        ##"{"definitions":{"name":{"type":"string","minLength":1}},"type":"object","properties":{"first":{"$ref":"#/definitions/name"},"last":{"$ref":"#/definitions/name"}},"required":["first","last"]}"##,
        ##"{"$defs":{"base":{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]}},"allOf":[{"$ref":"#/$defs/base"},{"properties":{"tag":{"type":"string"}}}]}"##,
        ##"{"$defs":{"s":{"type":"string"}},"$ref":"#/$defs/s","maxLength":3}"##,
        #"{"anyOf":[{"type":"array","items":{"type":"integer"}},{"type":"object","properties":{"n":{"type":"integer"}}},{"const":"none"}]}"#,
        #"{"type":"object","properties":{"status":{"enum":["ok","error"]},"detail":{"anyOf":[{"type":"string"},{"type":"null"}]}},"required":["status","detail"]}"#,
    ]

    /// Every base schema, plus each simple one nested in an array, an object and a union.
    static let all: [String] = {
        let base = strings + numbers + literals + arrays + objects + combinators
        let nestable = strings.prefix(12) + numbers + literals.prefix(10) + arrays.prefix(6) + objects.prefix(5)
        var result = base
        for schema in nestable {
            result.append(#"{"type":"array","items":\#(schema),"maxItems":3}"#)
            result.append(#"{"type":"object","properties":{"field":\#(schema),"n":{"type":"integer"}},"required":["field"]}"#)
        }
        for schema in nestable.prefix(30) {
            result.append(#"{"anyOf":[\#(schema),{"type":"array","items":\#(schema),"maxItems":2}]}"#)
        }
        return result
    }()
}
