// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Minimal console for forge's `-vv` output (the console precompile address forge
/// intercepts); the functions are `view` so they work from view helpers too.
library console {
    address internal constant CONSOLE = 0x000000000000000000636F6e736F6c652e6c6f67;

    function _send(bytes memory payload) private view {
        address c = CONSOLE;
        assembly ("memory-safe") {
            pop(staticcall(gas(), c, add(payload, 32), mload(payload), 0, 0))
        }
    }

    function log(string memory s) internal view {
        _send(abi.encodeWithSignature("log(string)", s));
    }

    function log(string memory s, uint256 v) internal view {
        _send(abi.encodeWithSignature("log(string,uint256)", s, v));
    }

    function log(string memory s, uint256 a, uint256 b) internal view {
        _send(abi.encodeWithSignature("log(string,uint256,uint256)", s, a, b));
    }

    function log(string memory s, uint256 a, uint256 b, uint256 c) internal view {
        _send(abi.encodeWithSignature("log(string,uint256,uint256,uint256)", s, a, b, c));
    }

    function log(string memory s, address a) internal view {
        _send(abi.encodeWithSignature("log(string,address)", s, a));
    }

    function log(string memory s, bytes32 a) internal view {
        _send(abi.encodeWithSignature("log(string,bytes32)", s, a));
    }

    function log(string memory s, string memory a) internal view {
        _send(abi.encodeWithSignature("log(string,string)", s, a));
    }
}
