// SPDX-License-Identifier: GPL-3.0-only
pragma solidity ^0.8.28;

/// @title SessionToken (SESH) for the local devnet
/// @notice A plain ERC-20 with 9 decimals, like Session's SESH. The whole supply is minted to the
/// deployer; there is no later minting, burning, pausing or owner.
/// @dev An allowance of `type(uint256).max` is treated as unlimited and never decremented.
contract SessionToken {
    /// @notice Token name.
    string public constant name = "Session Token";
    /// @notice Token symbol.
    string public constant symbol = "SESH";
    /// @notice Decimal places of one token (1 SESH = 10^9 base units).
    uint8 public constant decimals = 9;

    /// @notice Total supply in base units; fixed at deployment.
    uint256 public totalSupply;
    /// @notice Balance of each account in base units.
    mapping(address account => uint256) public balanceOf;
    /// @notice Remaining amount `spender` may move out of `owner`'s balance.
    mapping(address owner => mapping(address spender => uint256)) public allowance;

    /// @notice `value` base units moved from `from` to `to` (`from` is zero when minting).
    event Transfer(address indexed from, address indexed to, uint256 value);
    /// @notice `owner` allowed `spender` to move up to `value` base units.
    event Approval(address indexed owner, address indexed spender, uint256 value);

    /// @notice `account` holds `balance`, less than the `needed` amount.
    error InsufficientBalance(address account, uint256 balance, uint256 needed);
    /// @notice `spender` may move `allowance` from the owner, less than the `needed` amount.
    error InsufficientAllowance(address spender, uint256 allowance, uint256 needed);
    /// @notice A recipient or spender was the zero address.
    error ZeroAddress();

    /// @param initialSupply The whole supply in base units, minted to the deployer.
    constructor(uint256 initialSupply) {
        totalSupply = initialSupply;
        balanceOf[msg.sender] = initialSupply;
        emit Transfer(address(0), msg.sender, initialSupply);
    }

    /// @notice Moves `value` from the caller to `to`.
    function transfer(address to, uint256 value) external returns (bool) {
        _move(msg.sender, to, value);
        return true;
    }

    /// @notice Sets the caller's allowance for `spender` to `value` (overwriting the old one).
    function approve(address spender, uint256 value) external returns (bool) {
        if (spender == address(0)) revert ZeroAddress();
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    /// @notice Moves `value` from `from` to `to` using the caller's allowance.
    /// @dev A finite allowance is decremented and the new value emitted as an Approval event; an
    /// unlimited one is left as it is.
    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < value) revert InsufficientAllowance(msg.sender, allowed, value);
            unchecked {
                allowance[from][msg.sender] = allowed - value;
            }
            emit Approval(from, msg.sender, allowed - value);
        }
        _move(from, to, value);
        return true;
    }

    function _move(address from, address to, uint256 value) private {
        if (to == address(0)) revert ZeroAddress();
        uint256 balance = balanceOf[from];
        if (balance < value) revert InsufficientBalance(from, balance, value);
        unchecked {
            // Cannot overflow: the sum of all balances is totalSupply.
            balanceOf[from] = balance - value;
            balanceOf[to] += value;
        }
        emit Transfer(from, to, value);
    }
}
